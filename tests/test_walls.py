"""The walls of DESIGN.md that import-linter cannot express: submodules of external packages
(kiosk uses only PySide6.QtCore; devices and queue_server know no Qt at all), and imports by
name (`importlib.import_module("ui.app")` is an import too: kiosk finds its UI by entry point)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BANNED = {
    "kiosk": ("PySide6.QtWidgets", "PySide6.QtGui", "PySide6.QtMultimedia", "ui", "provisioning"),
    "devices": ("PySide6", "queue_server", "kiosk", "ui", "provisioning"),
    "queue_server": ("PySide6", "devices", "kiosk", "ui", "provisioning"),
    "ui": ("devices", "queue_server"),
    "provisioning": ("PySide6", "ui", "kiosk"),
    "toml_text": ("PySide6", "queue_server", "devices", "kiosk", "ui", "provisioning"),
    "server_process": ("PySide6", "queue_server", "devices", "kiosk", "ui", "tests", "bench"),
    "bench": ("tests",),
}


def imported_names(tree: ast.AST) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
            out += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Call) and _names_a_module(node):
            out.append((node.lineno, str(node.args[0].value)))  # type: ignore[attr-defined]
    return out


def _names_a_module(call: ast.Call) -> bool:
    """`import_module("x")`, `importlib.import_module("x")` or `__import__("x")`."""
    fn = call.func
    name = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
    return (name in ("import_module", "__import__") and bool(call.args)
            and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str))


def test_no_import_crosses_a_wall() -> None:
    crossings = []
    for package, banned in BANNED.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for lineno, name in imported_names(tree):
                if any(name == b or name.startswith(b + ".") for b in banned):
                    crossings.append(f"{path.relative_to(ROOT)}:{lineno} imports {name}")
    assert crossings == []


# The parts of the kiosk's view-model that widgets must not reach into: the screens read what
# KioskFlow (and its steps) expose, so the flow may change how it talks to the server or devices.
FLOW_PARTS = ("link", "devices", "config", "runner", "idle")


def test_ui_never_reaches_through_the_kiosk_flow() -> None:
    reaches = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Attribute) and node.attr in FLOW_PARTS):
                continue
            owner = node.value
            if (isinstance(owner, ast.Name) and owner.id == "flow") or (
                    isinstance(owner, ast.Attribute) and owner.attr == "flow"):
                reaches.append(f"{path.relative_to(ROOT)}:{node.lineno} flow.{node.attr}")
    assert reaches == []
