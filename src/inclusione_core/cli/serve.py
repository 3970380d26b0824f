"""
``inclusione serve``: the engine over HTTP (the optional extra ``inclusione-core[http]``).

Loopback by default: the service trusts the identity headers a gateway sets, so it must be
reached only through that gateway (see ``docs/http.md``). The configuration is compiled
once, at start-up; every disclosure goes to the audit of ``--audit``.
"""

# ruff: noqa: PLC0415 - the service is imported when the command runs, not at start-up

from __future__ import annotations

import argparse
import importlib
from typing import TYPE_CHECKING, Any

from inclusione_core.i18n import translate

from ._common import EXIT_INVALID, EXIT_OK, engine, err

if TYPE_CHECKING:
    from ._main import Commands


def add(commands: Commands) -> None:
    """The command's parser."""
    p = commands.command("serve", "serve the engine over HTTP under /v1, with its OpenAPI contract (needs the extra "
                                  "inclusione-core[http])")
    p.add_argument("--host", default="127.0.0.1",
                   help=commands.help("address to listen on (default: 127.0.0.1, this machine only)"))
    p.add_argument("--port", type=int, default=8000, help=commands.help("port (default: 8000)"))
    p.add_argument("--identity", metavar="MODULE:CALLABLE",
                   help=commands.help("the verifier of each request's caller (default: the headers set by the "
                                      "gateway, X-Inclusione-Subject, -Recipient and -Purpose)"))
    p.set_defaults(func=run)


def _verifier(spec: str, lang: str) -> Any:
    module, _, name = spec.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError):
        err(translate("--identity {spec}: no such callable (expected MODULE:CALLABLE)", lang, spec=spec))
        return None


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    lang = args.lang
    try:
        import uvicorn

        from inclusione_core.http import create_app
    except ImportError:
        err(translate("the HTTP service needs its extra: pip install 'inclusione-core[http]'", lang))
        return EXIT_INVALID
    identity = None
    if args.identity:
        identity = _verifier(args.identity, lang)
        if identity is None:
            return EXIT_INVALID
    app = create_app(engine(args), identity=identity)
    uvicorn.run(app, host=args.host, port=args.port, server_header=False, date_header=True, log_level="info")
    return EXIT_OK
