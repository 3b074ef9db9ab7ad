"""``enjambre-client``: a small command line over the Python client (exit codes: 0 success, 1 failure, 2 usage)."""
from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional

from . import Client, EnjambreError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="enjambre-client", description="Submit and follow Enjambre jobs.")
    p.add_argument("--coordinator", metavar="URL", help="default: ENJAMBRE_COORDINATOR, else http://127.0.0.1:8080")
    p.add_argument("--api-key", help="default: ENJAMBRE_API_KEY, else the key file of a local coordinator")
    p.add_argument("--data-dir", help="data directory of the local coordinator whose key file to use")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("submit", help="submit JOB.json; print its id")
    s.add_argument("spec", metavar="JOB.json")
    s.add_argument("--wait", action="store_true", help="follow it; print its result; exit 0 only if it completed")
    s.add_argument("--timeout", type=float, help="seconds to wait at most")
    st = sub.add_parser("status", help="one job, or all")
    st.add_argument("job", nargs="?")
    r = sub.add_parser("result", help="a completed job's result")
    r.add_argument("job")
    r.add_argument("--output", metavar="FILE", help="write it to FILE")
    c = sub.add_parser("cancel", help="cancel a job")
    c.add_argument("job")
    sub.add_parser("workers", help="the workers")
    m = sub.add_parser("upload-module", help="upload a .wasm module; print its sha256")
    m.add_argument("file", metavar="FILE.wasm")
    return p


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        client = Client(args.coordinator, args.api_key, data_dir=args.data_dir)
        return _run(client, args)
    except EnjambreError as e:
        print(f"enjambre-client {args.command}: {e}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as e:
        print(f"enjambre-client {args.command}: {e}", file=sys.stderr)
        return 2


def _run(client: Client, args: argparse.Namespace) -> int:
    if args.command == "submit":
        job_id = client.submit(args.spec)["id"]
        print(job_id, flush=True)
        if not args.wait:
            return 0
        job = client.wait(job_id, args.timeout)
        if job["state"] != "COMPLETED":
            print(f"job {job_id} ended {job['state']}: {job.get('failure')}", file=sys.stderr)
            return 1
        return _print_result(client.result(job_id))
    if args.command == "status":
        _print(client.job(args.job) if args.job else client.jobs())
    elif args.command == "result":
        if args.output:
            client.result(args.job, to=args.output)
        else:
            return _print_result(client.result(args.job))
    elif args.command == "cancel":
        _print(client.cancel(args.job))
    elif args.command == "workers":
        _print(client.workers())
    elif args.command == "upload-module":
        print(client.upload_module(args.file))
    return 0


def _print(value) -> None:
    print(json.dumps(value, indent=2))


def _print_result(value) -> int:
    if isinstance(value, bytes):
        sys.stdout.buffer.write(value)
    else:
        print(json.dumps(value))
    return 0


if __name__ == "__main__":
    sys.exit(main())
