"""Starts `hex-mcp run --sandbox` (as found on PATH) over stdio, initializes, and checks that
tools/list answers with the default catalog. Usage: mcp-stdio-check.py COMMAND [ARG...]"""
import json
import subprocess
import sys

def main() -> int:
    command = sys.argv[1:] or ["hex-mcp", "run", "--sandbox"]
    server = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    def send(message):
        server.stdin.write(json.dumps(message) + "\n")
        server.stdin.flush()
    def answer(wanted_id):
        for line in server.stdout:
            message = json.loads(line)
            if message.get("id") == wanted_id:
                return message
        raise SystemExit(f"the server closed stdout before answering request {wanted_id}")
    send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "mcp-stdio-check", "version": "1"}}})
    answer(1)
    send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    send({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
    tools = answer(2)["result"]["tools"]
    server.stdin.close()
    code = server.wait(timeout=20)
    names = {tool["name"] for tool in tools}
    if "list_hex_projects" not in names or code != 0:
        print(f"unexpected: {len(tools)} tools, exit code {code}", file=sys.stderr)
        return 1
    print(f"ok: tools/list answered {len(tools)} tools over stdio; exit code {code}")
    return 0

if __name__ == "__main__":
    sys.exit(main())
