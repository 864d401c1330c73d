"""One module a role, each with `run(app, config) -> int` and `render_screens(app, out_dir, role)
-> int`: `citizen` (roles kiosk and bank), `counter`, `display`, `pad` (`ui.app` maps them)."""
