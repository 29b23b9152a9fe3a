// The dashboard application: the overview of personas, or one persona (from the URL, shareable) with an
// optional open variant (?variant=); a persona is remembered only once it has shown data.
import { useCallback, useEffect, useState } from 'react';
import {
  loadRememberedPersonas,
  personaFromSearch,
  rememberPersona,
  saveRememberedPersonas,
  searchWithPersona,
  searchWithVariant,
  isValidPersonaId,
  variantFromSearch,
} from './personas.js';
import { loadAccessToken } from './accessToken.js';
import { fetchJson, personasUrl } from './api.js';
import { Dashboard } from './components/Dashboard.jsx';
import { Overview } from './components/Overview.jsx';
import { PersonaPicker } from './components/PersonaPicker.jsx';

// GET /api/personas with the token: {status, personas (null while loading)}.
function usePersonas(token) {
  const [answer, setAnswer] = useState({ status: null, personas: null });
  useEffect(() => {
    const controller = new AbortController();
    fetchJson(personasUrl(), token, { signal: controller.signal }).then(({ status, body }) => {
      if (controller.signal.aborted) return;
      setAnswer({ status, personas: Array.isArray(body?.personas) ? body.personas : [] });
    });
    return () => controller.abort();
  }, [token]);
  return answer;
}

// Root component: keeps persona and variant in sync with the URL and browser history.
export function App() {
  const [remembered, setRemembered] = useState(() => loadRememberedPersonas(window.localStorage));
  const [personaId, setPersonaId] = useState(() => personaFromSearch(window.location.search));
  const [variantId, setVariantId] = useState(() => variantFromSearch(window.location.search));
  // The access token of the link (see accessToken.js); sessionStorage keeps it across persona switches.
  const [token, setToken] = useState(() => loadAccessToken(window));
  const known = usePersonas(token);

  // Follows the browser's back and forward buttons, and a new #access_token= pasted in.
  useEffect(() => {
    const handlePopState = () => {
      setPersonaId(personaFromSearch(window.location.search));
      setVariantId(variantFromSearch(window.location.search));
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
    document.title = personaId ? `${personaId} · Variant dashboard` : 'Personas · Variant dashboard';
  }, [personaId]);

  // Remembers the persona once its dashboard showed data (a typo with no data is never remembered).
  const handleHasData = useCallback((id) => {
    setRemembered((previous) => {
      const next = rememberPersona(previous, id);
      saveRememberedPersonas(window.localStorage, next);
      return next;
    });
  }, []);

  const choosePersona = useCallback((id) => {
    if (!isValidPersonaId(id)) return;
    window.history.pushState(null, '', searchWithVariant(searchWithPersona(window.location.search, id), null));
    setPersonaId(id);
    setVariantId(null);
  }, []);

  const openVariant = useCallback((id) => {
    window.history.pushState(null, '', searchWithVariant(window.location.search, id));
    setVariantId(id);
  }, []);

  const picker = <PersonaPicker currentId={personaId} remembered={remembered} known={(known.personas ?? []).map((p) => p.persona_id)} onChoose={choosePersona} />;
  const skip = <a className="skip-link" href="#main">Skip to content</a>;
  if (!personaId) {
    return (
      <div className="app app--overview">
        {skip}
        <header className="topbar">
          <div className="topbar__title"><h1>Variant performance</h1><span className="topbar__persona">All personas</span></div>
          {picker}
        </header>
        <main id="main" tabIndex={-1}>
          <Overview personas={known.personas} status={known.status} token={token} onChoose={choosePersona} />
        </main>
      </div>
    );
  }
  return (
    <Dashboard key={personaId} personaId={personaId} token={token} header={picker} skip={skip}
      variantId={variantId} onOpenVariant={openVariant} onHasData={handleHasData} />
  );
}
