"""The FastMCP contender: the same two tools as every other contender, written the way FastMCP's docs do it.

Usage: server.py stdio | server.py http PORT stateless|stateful
"""

import sys

from fastmcp import FastMCP

mcp = FastMCP("bench-fastmcp")


@mcp.tool
def add(a: int, b: int) -> str:
    """Add two integers and return the sum as text."""
    return str(a + b)


@mcp.tool
def echo(text: str) -> str:
    """Return the text unchanged."""
    return text


if __name__ == "__main__":
    if sys.argv[1:2] == ["stdio"]:
        mcp.run(transport="stdio", show_banner=False)
    elif sys.argv[1:2] == ["http"] and sys.argv[3] in ("stateless", "stateful"):
        stateless = sys.argv[3] == "stateless"
        mcp.run(
            transport="http",
            host="127.0.0.1",
            port=int(sys.argv[2]),
            path="/mcp",
            show_banner=False,
            log_level="warning",
            stateless_http=stateless,
            json_response=stateless,
        )
    else:
        sys.exit("usage: server.py stdio | server.py http PORT stateless|stateful")
