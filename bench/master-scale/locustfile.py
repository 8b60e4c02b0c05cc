"""Locust 2.47 master for bench/master-scale/locust-master.sh: the user classes of the TestTargets plugin.

`locust-slave-sim` announces the classes of the plugin it is given (Plugins/TestTargets: the 15 below,
weight 1 each). A Locust master dispatches by its own locustfile's classes, so these have the same names
and weights; it sends every simulated slave a `spawn` with per-class counts, which the simulator answers
(spawning, spawning_complete) without running a user. The master itself runs no users: the task is
never called.

    .venv-bench/bin/locust -f bench/master-scale/locustfile.py --master --headless --expect-workers 100 \
        -u 1000 -r 1000 -t 60s --master-bind-port 27657 --csv /tmp/locust
"""

from locust import User, constant, task


class _Stub(User):
    abstract = True
    wait_time = constant(1)

    @task
    def nothing(self):
        pass


CLASS_NAMES = (
    "CountingUser", "FailingUser", "SlowUser", "ThrowingUser", "RefusedUser", "CustomEventUser", "PacedUser",
    "InsecureTLSUser", "MethodsUser", "SessionUser", "TimeoutUser", "RedirectUser", "NoFollowUser",
    "CancellingUser", "BodyUser",
)

for _name in CLASS_NAMES:
    globals()[_name] = type(_name, (_Stub,), {"__module__": __name__})
