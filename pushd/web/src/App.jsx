// The dashboard application: persona from the URL (shareable), remembered personas, one Dashboard per persona.
import { useCallback, useEffect, useState } from 'react';
import {
  loadRememberedPersonas,
  personaFromSearch,
  rememberPersona,
  saveRememberedPersonas,
  searchWithPersona,
  isValidPersonaId,
} from './personas.js';
import { loadAccessToken } from './accessToken.js';
import { Dashboard } from './components/Dashboard.jsx';
import { PersonaPicker } from './components/PersonaPicker.jsx';

// The persona of the URL, else the last remembered one (written back into the URL), else null.
function startingPersona(remembered) {
  const fromUrl = personaFromSearch(window.location.search);
  if (fromUrl || remembered.length === 0) return fromUrl;
  window.history.replaceState(null, '', searchWithPersona(window.location.search, remembered[0]));
  return remembered[0];
}

// Root component: keeps the persona in sync with the URL and browser history.
export function App() {
  const [remembered, setRemembered] = useState(() => loadRememberedPersonas(window.localStorage));
  const [personaId, setPersonaId] = useState(() => startingPersona(remembered));
  // The access token of the link (see accessToken.js); sessionStorage keeps it across persona switches.
  const [token, setToken] = useState(() => loadAccessToken(window));

  // Follows the browser's back and forward buttons between personas, and a new #access_token= pasted in.
  useEffect(() => {
    const handlePopState = () => {
      setPersonaId(personaFromSearch(window.location.search));
      setToken(loadAccessToken(window));
    };
    const handleHashChange = () => setToken(loadAccessToken(window));
    window.addEventListener('popstate', handlePopState);
    window.addEventListener('hashchange', handleHashChange);
    return () => {
      window.removeEventListener('popstate', handlePopState);
      window.removeEventListener('hashchange', handleHashChange);
    };
  }, []);

  useEffect(() => {
    if (!personaId) return;
    document.title = `${personaId} · Variant dashboard`;
    setRemembered((previous) => {
      const next = rememberPersona(previous, personaId);
      saveRememberedPersonas(window.localStorage, next);
      return next;
    });
  }, [personaId]);

  const choosePersona = useCallback((id) => {
    if (!isValidPersonaId(id)) return;
    window.history.pushState(null, '', searchWithPersona(window.location.search, id));
    setPersonaId(id);
  }, []);

  const picker = <PersonaPicker currentId={personaId} remembered={remembered} onChoose={choosePersona} />;
  if (!personaId) {
    return (
      <div className="app app--welcome">
        <h1>Variant performance</h1>
        <p>Choose a persona to watch its variants live. Links such as <code>/dashboard/?persona=ai-jesus</code> open one directly.</p>
        {picker}
      </div>
    );
  }
  return <Dashboard key={personaId} personaId={personaId} token={token} header={picker} />;
}
