import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../../api/client';
import { Busy, ErrorNote } from '../../components/status';
import { useAction, useAsync } from '../../components/use-async';

interface MetadataView {
  tmdb: { hasApiKey: boolean; language: string; includeAdult: boolean };
  musicbrainz: { enabled: boolean };
}

/** Metadata keys: the TMDB key (write-only), language, adult results; MusicBrainz on/off. */
export function MetadataSettings() {
  const view = useAsync((signal) => api<MetadataView>('/api/metadata/settings', { signal }), []);
  const [apiKey, setApiKey] = useState('');
  const [language, setLanguage] = useState('en-US');
  const [includeAdult, setIncludeAdult] = useState(false);
  const [mb, setMb] = useState(true);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!view.data) return;
    setLanguage(view.data.tmdb.language);
    setIncludeAdult(view.data.tmdb.includeAdult);
    setMb(view.data.musicbrainz.enabled);
  }, [view.data]);
  const save = useAction(async () => {
    await api('/api/metadata/settings', { body: { tmdb: { language, includeAdult, ...(apiKey ? { apiKey } : {}) }, musicbrainz: { enabled: mb } } });
    setApiKey('');
    setSaved(true);
    view.reload();
  });
  return (
    <form
      className="stack"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        setSaved(false);
        void save.run();
      }}
    >
      <ErrorNote error={view.error} />
      <fieldset>
        <legend>TMDB</legend>
        <div className="form-grid">
          <label>
            API key
            <input
              type="password"
              name="tmdb-apiKey"
              autoComplete="new-password"
              value={apiKey}
              placeholder={view.data?.tmdb.hasApiKey ? 'stored (leave empty to keep)' : ''}
              onChange={(e) => setApiKey(e.target.value)}
            />
          </label>
          <label>
            Language
            <input name="tmdb-language" value={language} onChange={(e) => setLanguage(e.target.value)} />
          </label>
          <label className="inline">
            <input type="checkbox" checked={includeAdult} onChange={(e) => setIncludeAdult(e.target.checked)} /> Include adult results
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>MusicBrainz</legend>
        <label className="inline">
          <input type="checkbox" checked={mb} onChange={(e) => setMb(e.target.checked)} /> Enabled
        </label>
      </fieldset>
      <ErrorNote error={save.error} />
      <div className="row">
        <button type="submit" className="primary" disabled={save.busy}>
          Save metadata settings
        </button>
        <Busy active={save.busy} label="Saving…" />
        {saved && !save.busy && !save.error ? <span className="ok">Saved.</span> : null}
      </div>
    </form>
  );
}
