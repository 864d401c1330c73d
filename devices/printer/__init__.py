"""Ticket printers: the ticket layout as ESC/POS bytes (`layout`), pictures as GS v 0 (`bitmap`),
the Mongolian texts drawn as a picture (`mongol`), real-time status (`status`), the driver over
serial, TCP, USB, file and simulator transports (`driver`, `transports`), and the simulator that
answers from the other end (`simulator`)."""

from devices.printer.driver import TicketPrinter, open_printer
from devices.printer.layout import PRIVACY_LINE, TicketLayout, ticket_bytes

__all__ = ["PRIVACY_LINE", "TicketLayout", "TicketPrinter", "open_printer", "ticket_bytes"]
