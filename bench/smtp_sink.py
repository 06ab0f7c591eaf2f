#!/usr/bin/env python3
"""A capturing SMTP sink for bench/run: answers 250 to everything, counts the messages it accepts.

Usage: smtp_sink.py STATE_DIR
  Listens on 127.0.0.1 on a free port and writes it to STATE_DIR/port once listening.
  STATE_DIR/count holds the number of messages accepted so far (rewritten at most every 200 ms and
  at exit); STATE_DIR/delayed, when it exists, switches the sink to ACK like any Linux SMTP server
  (delayed ACKs, see below); otherwise it sets TCP_QUICKACK before each message body.

Why the ACK mode matters: lettre 0.11.23 writes a message body and its final "." as two writes
without TCP_NODELAY, so against a server that delays its ACKs (Linux does, up to 40 ms) each
message waits for the delayed-ACK timer (lettre PR #1159 fixes it upstream). TCP_QUICKACK removes
that stall so the drain rate shows the worker's own cost; bench/run measures both.
"""

import asyncio
import os
import signal
import socket
import sys
import time

STATE = sys.argv[1] if len(sys.argv) > 1 else "."
received = 0
last_write = 0.0


def write_count(force=False):
    global last_write
    now = time.monotonic()
    if force or now - last_write > 0.2:
        last_write = now
        tmp = os.path.join(STATE, "count.tmp")
        with open(tmp, "w") as f:
            f.write(f"{received}\n")
        os.replace(tmp, os.path.join(STATE, "count"))


def quick_ack(writer):
    if os.path.exists(os.path.join(STATE, "delayed")):
        return
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        except OSError:
            pass


async def session(reader, writer):
    global received
    try:
        writer.write(b"220 sink ESMTP\r\n")
        while True:
            line = await reader.readline()
            if not line:
                return
            verb = line.split(b" ", 1)[0].strip().upper()
            if verb in (b"EHLO", b"HELO"):
                writer.write(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
            elif verb == b"DATA":
                writer.write(b"354 go ahead\r\n")
                await writer.drain()
                quick_ack(writer)
                while True:
                    body = await reader.readline()
                    if not body:
                        return
                    if body in (b".\r\n", b".\n"):
                        break
                received += 1
                write_count()
                writer.write(b"250 2.0.0 Ok: queued\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 2.0.0 Bye\r\n")
                await writer.drain()
                return
            else:
                writer.write(b"250 2.0.0 Ok\r\n")
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(session, "127.0.0.1", 0, limit=1 << 20)
    port = server.sockets[0].getsockname()[1]
    write_count(force=True)
    with open(os.path.join(STATE, "port"), "w") as f:
        f.write(f"{port}\n")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    async def flush():
        while True:
            await asyncio.sleep(0.5)
            write_count(force=True)

    flusher = asyncio.create_task(flush())
    async with server:
        await stop.wait()
    flusher.cancel()
    write_count(force=True)


if __name__ == "__main__":
    asyncio.run(main())
