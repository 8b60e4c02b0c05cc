@testable import LocustRunner

/// Pattern-matching shortcuts for the tests' predicates.
extension ZMQRouter.Event {
    var connectedPeer: String? {
        if case .connected(let peer) = self { return peer }
        return nil
    }

    var received: (identity: [UInt8], payload: [UInt8], peer: String)? {
        if case .received(let identity, let payload, let peer) = self { return (identity, payload, peer) }
        return nil
    }

    var malformed: (identity: [UInt8], peer: String, reason: String)? {
        if case .malformed(let identity, let peer, let reason) = self { return (identity, peer, reason) }
        return nil
    }

    var disconnected: (identity: [UInt8]?, peer: String)? {
        if case .disconnected(let identity, let peer) = self { return (identity, peer) }
        return nil
    }
}

extension ZMQDealer.Event {
    var isConnected: Bool {
        if case .connected = self { return true }
        return false
    }

    var isDisconnected: Bool {
        if case .disconnected = self { return true }
        return false
    }

    var payload: [UInt8]? {
        if case .received(let payload) = self { return payload }
        return nil
    }
}

extension ZMQDealer.Event {
    var handshakeFailure: String? {
        if case .handshakeFailed(let what) = self { return what }
        return nil
    }
}

extension ZMQRouter.Event {
    var handshakeFailure: String? {
        if case .handshakeFailed(let what) = self { return what }
        return nil
    }
}
