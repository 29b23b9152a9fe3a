// React hook owning the dashboard WebSocket: connect, heartbeat, reconnect with backoff and resume.
import { useCallback, useEffect, useRef, useState } from 'react';
import { backoffDelay, connectionLabel, parseMessage, socketUrl, PING_INTERVAL_MS, PONG_TIMEOUT_MS } from '../connection.js';
import { adoptEarlySocket, earlySocketFor } from '../earlySocket.js';

// Connects to the persona's socket, passes every parsed message to onMessage, and returns {label, send}.
// The first connection adopts the socket the boot script opened before React (see earlySocket.js), if any:
// messages it buffered that are not in the state yet are passed on first, in order.
export function useDashboardSocket(personaId, onMessage, lastEventIdRef) {
  const [link, setLink] = useState(() => ({
    open: earlySocketFor(personaId, window)?.open === true,
    everConnected: earlySocketFor(personaId, window)?.open === true,
    failedAttempts: 0,
  }));
  const [browserOnline, setBrowserOnline] = useState(() => navigator.onLine !== false);
  const socketRef = useRef(null);

  useEffect(() => {
    let stopped = false;
    let retryTimer = null;
    let failedAttempts = 0;
    let everConnected = false;
    let lastHeardAt = Date.now();
    let adopted = adoptEarlySocket(personaId, window);

    // Opens a socket that resumes after the last applied event id (or adopts the early one, first time).
    function connect() {
      retryTimer = null;
      const early = adopted;
      adopted = null;
      const socket = early ? early.socket : new WebSocket(socketUrl(window.location, personaId, lastEventIdRef.current));
      socketRef.current = socket;
      socket.onopen = () => {
        failedAttempts = 0;
        everConnected = true;
        lastHeardAt = Date.now();
        setLink((previous) => (previous.open && previous.everConnected && previous.failedAttempts === 0
          ? previous
          : { open: true, everConnected, failedAttempts }));
      };
      socket.onmessage = (frame) => {
        lastHeardAt = Date.now();
        const message = parseMessage(frame.data);
        if (message) onMessage(message);
      };
      socket.onerror = () => socket.close();
      socket.onclose = () => {
        if (stopped || socketRef.current !== socket) return;
        socketRef.current = null;
        failedAttempts += 1;
        setLink({ open: false, everConnected, failedAttempts });
        retryTimer = setTimeout(connect, backoffDelay(failedAttempts - 1));
      };
      if (!early) return;
      if (early.open) socket.onopen();
      // After this effect: onMessage may render synchronously, which React refuses inside its own commit.
      if (early.pending.length > 0) {
        queueMicrotask(() => {
          if (stopped || socketRef.current !== socket) return;
          for (const message of early.pending) onMessage(message);
        });
      }
    }

    // Sends a heartbeat, or drops a socket that has been silent too long so it reconnects.
    function heartbeat() {
      const socket = socketRef.current;
      if (!socket || socket.readyState !== WebSocket.OPEN) return;
      if (Date.now() - lastHeardAt > PONG_TIMEOUT_MS) socket.close();
      else socket.send(JSON.stringify({ type: 'ping' }));
    }

    // Reconnects at once when the browser comes back online instead of waiting for the backoff.
    function handleOnline() {
      setBrowserOnline(true);
      if (retryTimer !== null) {
        clearTimeout(retryTimer);
        connect();
      }
    }

    // Records that the browser lost its network.
    function handleOffline() {
      setBrowserOnline(false);
    }

    // The first render may have shown the early socket as live; it closed before it could be adopted.
    if (!adopted) setLink((previous) => (previous.open ? { open: false, everConnected: false, failedAttempts: 0 } : previous));
    connect();
    const pingTimer = setInterval(heartbeat, PING_INTERVAL_MS);
    window.addEventListener('online', handleOnline);
    window.addEventListener('offline', handleOffline);
    return () => {
      stopped = true;
      clearInterval(pingTimer);
      if (retryTimer !== null) clearTimeout(retryTimer);
      window.removeEventListener('online', handleOnline);
      window.removeEventListener('offline', handleOffline);
      socketRef.current?.close();
      socketRef.current = null;
    };
  }, [personaId, onMessage, lastEventIdRef]);

  // Sends a client message when the socket is open; returns whether it was sent.
  const send = useCallback((message) => {
    const socket = socketRef.current;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  }, []);

  return { label: connectionLabel({ ...link, browserOnline }), send };
}
