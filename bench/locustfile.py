"""Locust 2.47 users for bench/bench.py: the same requests as Plugins/Bench, with no wait time.

    locust -f bench/locustfile.py --host http://127.0.0.1:PORT --headless -u 50 -r 50 -t 10s FastSmall
"""
from locust import FastHttpUser, HttpUser, constant, task


class FastSmall(FastHttpUser):
    wait_time = constant(0)

    @task
    def small(self):
        self.client.get("/")


class FastBig(FastHttpUser):
    wait_time = constant(0)

    @task
    def big(self):
        self.client.get("/64k")


class HttpSmall(HttpUser):
    wait_time = constant(0)

    @task
    def small(self):
        self.client.get("/")


class HttpBig(HttpUser):
    wait_time = constant(0)

    @task
    def big(self):
        self.client.get("/64k")
