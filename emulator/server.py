#!/usr/bin/env python3
"""Local AWS emulator for the `local` environment: moto, bound to 127.0.0.1 only.

    python3 emulator/server.py [--port N] [--exit-with-parent] [--verbose] [--record FILE]

- Listens on 127.0.0.1 only, on --port (default 0: the OS picks a free port;
  the socket is bound before the ready line, so there is no race).
- Applies the fidelity patches of `emulator/patches` (see emulator/README.md);
  EMULATOR_DISABLE_PATCHES=name,name turns some off (to see a test fail without one).
- Prints exactly one line on stdout when it accepts connections:
      EMULATOR READY http://127.0.0.1:<port>
- Exits 0 on SIGTERM / SIGINT. With --exit-with-parent (how scripts/lib/emulator.ts
  starts it) also when stdin reaches end of file (the parent holds the other end,
  so a parent that dies, even by SIGKILL, stops the emulator) and when the parent
  process goes away (polled; on Linux also PR_SET_PDEATHSIG).
- With --record FILE, appends one JSON line per request served to FILE (emulator/recorder.py:
  who signed it, service, operation, parameters), for `npm run iam-audit`.
- Writes each request an AWS SDK retried to stderr (emulator/retries.py), with what became of its
  first attempt.
- Exits 3 with what to install when moto or its server dependencies are missing.
"""
import argparse
import logging
import os
import signal
import sys
import threading

EXIT_MISSING_DEPENDENCY = 3
HOST = "127.0.0.1"  # never anything else: the emulator accepts any credentials


def fail_missing(what: str, error: BaseException) -> None:
    sys.stderr.write(
        f"emulator: {what} is not installed for {sys.executable} ({error}).\n"
        f'Install it with:  {sys.executable} -m pip install "moto[server]"\n'
        "(the emulator is tested with moto 5.2.1)\n"
    )
    sys.exit(EXIT_MISSING_DEPENDENCY)


def parse_args(argv: list) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Local AWS emulator (moto) on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default 0: a free port)")
    parser.add_argument("--exit-with-parent", action="store_true", help="exit when stdin reaches end of file or the parent process exits")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr (default: only server errors)")
    parser.add_argument("--record", metavar="FILE", help="append one JSON line per request served to FILE (emulator/recorder.py)")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port}: use 0 (a free port) or 1-65535")
    return args


def die_with_parent() -> None:
    """Linux: the kernel sends SIGTERM to this process when its parent dies."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except Exception:  # best effort: stdin and the parent poll below still apply
        pass


def main(argv: list) -> int:
    args = parse_args(argv)
    parent = os.getppid()
    if args.exit_with_parent:
        die_with_parent()

    try:
        import moto  # noqa: F401
        import flask  # noqa: F401
        import flask_cors  # noqa: F401
    except ImportError as error:
        fail_missing("moto (with its server extras)" if getattr(error, "name", "") != "moto" else "moto", error)

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import patches

    applied = patches.apply_all()

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import WSGIRequestHandler, make_server

    class RequestHandler(WSGIRequestHandler):
        # Each answer leaves in one write: status line, headers and body together (werkzeug flushes after each part of
        # the body; unbuffered, it sent the headers and the body in two). Seen on loopback captures of two test runs at
        # once (2026-12-06): the AWS provider's Go client sometimes closed the connection when the headers had come and
        # the body not yet; the body then met a closed socket, which answered with a reset, and the SDK retried a call
        # the emulator had carried out (a RevokeSecurityGroupEgress retried this way failed "InvalidPermission.NotFound").
        # Why the client closed is not established; with one write, two such runs (one the whole emulator tier) saw none.
        wbufsize = 1 << 20

        def handle_expect_100(self):
            # http.server answers "Expect: 100-continue" while it reads the request (an S3 upload's body waits for it);
            # buffered, the answer would wait in the buffer until the client's timeout. It goes out at once.
            answered = super().handle_expect_100()
            self.wfile.flush()
            return answered

        def run_wsgi(self):
            # werkzeug would answer the same Expect a second time (it did before the buffering too).
            del self.headers["Expect"]
            return super().run_wsgi()

        def log_request(self, code="-", size="-"):
            status = int(code) if str(code).isdigit() else 0
            if args.verbose or status >= 500:
                super().log_request(code, size)

        def connection_dropped(self, error, environ=None):
            # The client closed the connection before the answer was written (werkzeug says nothing by default): an
            # SDK then retries a call the emulator may have carried out. Logged, with the retry log's lines; once per
            # connection (the buffered rest of the answer fails again when the handler flushes it).
            if getattr(self, "dropped_logged", False):
                return
            self.dropped_logged = True
            what = f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}" if environ else "a request"
            sys.stderr.write(f"emulator: connection dropped by the client while answering {what}: {error!r}\n")
            sys.stderr.flush()

    logging.getLogger("werkzeug").setLevel(logging.INFO)
    app = DomainDispatcherApplication(create_backend_app)
    if args.record:
        from recorder import Recorder

        app = Recorder(app, args.record)
    from retries import RetryLog

    app = RetryLog(app)
    try:
        server = make_server(HOST, args.port, app, threaded=True, request_handler=RequestHandler)
    except OSError as error:
        sys.stderr.write(f"emulator: cannot listen on {HOST}:{args.port}: {error}\n")
        return 1
    server.daemon_threads = True
    port = server.server_address[1]
    os.environ["MOTO_PORT"] = str(port)  # moto builds some URLs (S3 presigned, Lambda) from it

    stop = threading.Event()
    reason = {"why": ""}

    def request_stop(why: str) -> None:
        if not stop.is_set():
            reason["why"] = why
            stop.set()

    signal.signal(signal.SIGTERM, lambda *_: request_stop("SIGTERM"))
    signal.signal(signal.SIGINT, lambda *_: request_stop("SIGINT"))
    if args.exit_with_parent:

        def watch_stdin() -> None:
            try:  # the raw descriptor: a buffered reader would hold its lock at interpreter exit
                while os.read(0, 4096):
                    pass
            except OSError:
                pass
            request_stop("stdin closed")

        threading.Thread(target=watch_stdin, name="stdin-watch", daemon=True).start()

    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="serve", daemon=True)
    serving.start()
    sys.stderr.write(f"emulator: moto {moto.__version__} on {HOST}:{port}; patches: {', '.join(applied) or 'none'}\n")
    sys.stdout.write(f"EMULATOR READY http://{HOST}:{port}\n")
    sys.stdout.flush()

    while not stop.wait(0.5):
        if args.exit_with_parent and os.getppid() != parent:
            request_stop("parent process exited")
    server.shutdown()
    server.server_close()
    sys.stderr.write(f"emulator: stopped ({reason['why']})\n")
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # request threads are daemons: no need to wait for idle keep-alive connections
