// React hook owning the dashboard WebSocket (socketLink.js does the connecting, reconnecting and refusals).
import { useCallback, useEffect, useRef, useState } from 'react';
import { connectionLabel } from '../connection.js';
import { adoptEarlySocket, earlySocketFor } from '../earlySocket.js';
import { browserEnv, openDashboardSocket } from '../socketLink.js';

// The link state with next's values, or previous itself when nothing changed (no re-render).
function mergeLink(previous, next) {
  const same = Object.keys(next).every((key) => previous[key] === next[key]);
  return same ? previous : { ...previous, ...next };
}

// Connects to the persona's socket with the access token (or none), passes every parsed message to onMessage,
// and returns {label, refused (the message for the user when pushd refused the token, else null), send}.
// The first connection adopts the socket the boot script opened before React (see earlySocket.js), if any:
// messages it buffered that are not in the state yet are passed on first, in order. A changed token is sent
// in band on a live socket, or starts over after a refusal.
export function useDashboardSocket(personaId, token, onMessage, lastEventIdRef) {
  const [link, setLink] = useState(() => ({
    open: earlySocketFor(personaId, window)?.open === true,
    everConnected: earlySocketFor(personaId, window)?.open === true,
    failedAttempts: 0,
    refused: null,
  }));
  const [browserOnline, setBrowserOnline] = useState(() => navigator.onLine !== false);
  const linkRef = useRef(null);
  const tokenRef = useRef(token);

  useEffect(() => {
    const adopted = adoptEarlySocket(personaId, window, tokenRef.current);
    // The first render may have shown the early socket as live; it closed before it could be adopted.
    if (!adopted) setLink((previous) => (previous.open ? { open: false, everConnected: false, failedAttempts: 0, refused: null } : previous));
    const controller = openDashboardSocket({
      personaId,
      token: tokenRef.current,
      onMessage,
      onLink: (next) => setLink((previous) => mergeLink(previous, next)),
      lastEventId: () => lastEventIdRef.current,
      adopted,
      env: browserEnv(window),
    });
    linkRef.current = controller;

    // Reconnects at once when the browser comes back online instead of waiting for the backoff.
    function handleOnline() {
      setBrowserOnline(true);
      controller.online();
    }

    // Records that the browser lost its network.
    function handleOffline() {
      setBrowserOnline(false);
    }

    window.addEventListener('online', handleOnline);
    window.addEventListener('offline', handleOffline);
    return () => {
      window.removeEventListener('online', handleOnline);
      window.removeEventListener('offline', handleOffline);
      controller.stop();
      if (linkRef.current === controller) linkRef.current = null;
    };
  }, [personaId, onMessage, lastEventIdRef]);

  useEffect(() => {
    if (tokenRef.current === token) return;
    tokenRef.current = token;
    linkRef.current?.setToken(token);
  }, [token]);

  // Sends a client message when the socket is open; returns whether it was sent.
  const send = useCallback((message) => linkRef.current?.send(message) ?? false, []);

  return { label: connectionLabel({ ...link, browserOnline }), refused: link.refused, send };
}
