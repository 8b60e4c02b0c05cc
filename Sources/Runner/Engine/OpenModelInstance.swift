@_spi(Runner) import LocustAPI

/// An open-model user instance with what the runner keeps beside it: its recorder (for the lateness of
/// each iteration) and its engine thread (where its iterations run).
final class OpenModelInstance: Sendable {
    let user: IterationUser
    let recorder: IterationRecorder
    let thread: EngineThread

    init(user: IterationUser, recorder: IterationRecorder, thread: EngineThread) {
        self.user = user
        self.recorder = recorder
        self.thread = thread
    }
}
