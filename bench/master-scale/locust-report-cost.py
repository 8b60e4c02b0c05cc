#!/usr/bin/env python3
"""What one `stats` report of locust-slave-sim costs a Locust 2.47 master, in Locust's own code.

    .venv-bench/bin/python bench/master-scale/locust-report-cost.py [--port 29557] [--rps-per-user 1] \
        [--names 50] [--users 10] [--sim .build/release/locust-slave-sim] [--plugin PLUGIN.so]

Binds a ZeroMQ ROUTER as a Locust master does, starts one simulated slave (`locust-slave-sim --slaves 1`),
acknowledges it, orders it `--users` users of CountingUser, keeps 20 of its `stats` frames with requests,
then tells it to quit. For those frames it times, per report (median of 20 rounds over the 20 frames):
Locust's `Message.unserialize` (msgpack with Locust's object hook) of the frame as sent, the same of the
frame without our `swiftlocust` key (what a Python worker's report of the same requests would cost), and
Locust's `on_worker_report` (the master's merge into its RequestStats). Prints the frame sizes too.
"""

import argparse
import statistics
import subprocess
import time

import msgpack
import zmq
from locust.rpc.protocol import Message
from locust.stats import RequestStats, setup_distributed_stats_event_listeners
from locust.event import Events


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=29557)
    parser.add_argument("--rps-per-user", default="1")
    parser.add_argument("--names", default="50")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--sim", default=".build/release/locust-slave-sim")
    parser.add_argument("--plugin", default="Plugins/TestTargets/.build/release/libTestTargets.so")
    args = parser.parse_args()

    context = zmq.Context()
    router = context.socket(zmq.ROUTER)
    router.setsockopt(zmq.LINGER, 0)
    router.bind(f"tcp://127.0.0.1:{args.port}")
    sim = subprocess.Popen(
        [args.sim, "--plugin", args.plugin, "--slaves", "1", "--master-port", str(args.port), "--names", args.names,
         "--rps-per-user", args.rps_per_user, "--duration", "120s"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    frames = []
    try:
        deadline = time.time() + 90
        spawned = False
        while len(frames) < 20 and time.time() < deadline:
            if not router.poll(1000):
                continue
            identity, payload = router.recv_multipart()
            message = Message.unserialize(payload)
            if message.type == "client_ready":
                router.send_multipart([identity, Message("ack", {"index": 0}, identity.decode()).serialize()])
                if not spawned:
                    spawned = True
                    order = {"timestamp": time.time(), "user_classes_count": {"CountingUser": args.users},
                             "host": "", "stop_timeout": None, "parsed_options": {}}
                    router.send_multipart([identity, Message("spawn", order, identity.decode()).serialize()])
            elif message.type == "heartbeat":
                router.send_multipart([identity, Message("heartbeat", None, identity.decode()).serialize()])
            elif message.type == "stats" and message.data["stats_total"]["num_requests"] > 0:
                frames.append(payload)
        if frames:
            router.send_multipart([identity, Message("quit", None, identity.decode()).serialize()])
    finally:
        time.sleep(0.3)
        sim.terminate()
        sim.wait(timeout=10)
        router.close()
        context.term()
    if not frames:
        raise SystemExit("no stats frame with requests arrived")

    def strip(frame):
        kind, data, node = msgpack.loads(frame, raw=False, strict_map_key=False)
        data = {key: value for key, value in data.items() if key != "swiftlocust"}
        return msgpack.dumps((kind, data, node))

    stripped = [strip(frame) for frame in frames]

    def per_report(function, inputs, rounds=20):
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            for item in inputs:
                function(item)
            times.append((time.perf_counter() - start) / len(inputs))
        return statistics.median(times) * 1e6

    events = Events()
    stats = RequestStats()
    setup_distributed_stats_event_listeners(events, stats)

    def merge(frame):
        message = Message.unserialize(frame)
        events.worker_report.fire(client_id=message.node_id, data=message.data)

    decode_full = per_report(Message.unserialize, frames)
    decode_stripped = per_report(Message.unserialize, stripped)
    decode_and_merge = per_report(merge, stripped)
    entries = statistics.median(len(msgpack.loads(f, raw=False, strict_map_key=False)[1]["stats"]) for f in frames)
    requests = statistics.median(msgpack.loads(f, raw=False, strict_map_key=False)[1]["stats_total"]["num_requests"] for f in frames)
    print(f"{len(frames)} stats frames of one simulated slave ({args.users} users, {args.rps_per_user} req/s each, --names {args.names}):"
          f" median {requests:.0f} requests and {entries:.0f} entries in Locust's part")
    print(f"  frame {statistics.median(map(len, frames)):.0f} bytes as sent, {statistics.median(map(len, stripped)):.0f} bytes without 'swiftlocust'")
    print(f"  Locust's Message.unserialize: {decode_full:.0f} us as sent, {decode_stripped:.0f} us without 'swiftlocust'")
    print(f"  unserialize + on_worker_report (without 'swiftlocust'): {decode_and_merge:.0f} us per report")


if __name__ == "__main__":
    main()
