"""The parse worker's process: reads `{"kind", "text"}` lines, answers `{"json"}` or `{"error"}` lines."""

import json
import sys

from queries.hogql.parser import parse_json


def main() -> None:
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    for line in sys.stdin:
        request = json.loads(line)
        try:
            reply = {"json": parse_json(request["kind"], request["text"])}
        except Exception as error:  # reported to the caller, which raises it
            reply = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
