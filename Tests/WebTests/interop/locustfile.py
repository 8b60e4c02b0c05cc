"""Python twins of two TestTargets classes (Plugins/TestTargets/Sources/TestTargets/TestUsers.swift), for
the mixed clusters of test_locust_interop.py: same class names, same requests, same names in the stats.

A Locust master dispatches users by the class names of its own locustfile, and a SwiftLocust slave runs
the plugin class of that name; a Python worker under a SwiftLocust master runs the class of the name it
is sent. Requests made by Python carry `X-User: python`, which nginx logs, so a test can tell them from
the Swift users' (SwiftLocust's SessionUser sends its numeric user id, FailingUser sends none).
"""

from locust import HttpUser, constant, task

PYTHON_MARK = {"X-User": "python"}


class SessionUser(HttpUser):
    """GET / every 20 ms (the plugin's SessionUser: `WaitTime.constant(0.02)`)."""

    wait_time = constant(0.02)

    @task
    def index(self):
        self.client.get("/", headers=PYTHON_MARK)


class FailingUser(HttpUser):
    """GET /fail every 10 ms: nginx answers 500, a failure (the plugin's FailingUser)."""

    wait_time = constant(0.01)

    @task
    def fail(self):
        self.client.get("/fail", headers=PYTHON_MARK)
