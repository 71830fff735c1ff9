import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../../api/client';
import { ActionRow, Field } from '../../components/form';
import { ErrorNote } from '../../components/status';
import { useAction } from '../../components/use-action';
import { useAsync } from '../../components/use-async';

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
  useEffect(() => {
    if (!view.data) return;
    setLanguage(view.data.tmdb.language);
    setIncludeAdult(view.data.tmdb.includeAdult);
    setMb(view.data.musicbrainz.enabled);
  }, [view.data]);
  const save = useAction(
    async () => {
      await api('/api/metadata/settings', { body: { tmdb: { language, includeAdult, ...(apiKey ? { apiKey } : {}) }, musicbrainz: { enabled: mb } } });
      setApiKey('');
      view.reload();
    },
    { done: 'Saved.' },
  );
  return (
    <form
      className="stack"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <ErrorNote error={view.error} />
      <fieldset>
        <legend>TMDB</legend>
        <div className="form-grid">
          <Field label="API key">
            <input
              type="password"
              name="tmdb-apiKey"
              autoComplete="new-password"
              value={apiKey}
              placeholder={view.data?.tmdb.hasApiKey ? 'stored (leave empty to keep)' : ''}
              onChange={(e) => setApiKey(e.target.value)}
            />
          </Field>
          <Field label="Language">
            <input name="tmdb-language" value={language} onChange={(e) => setLanguage(e.target.value)} />
          </Field>
          <Field label="Include adult results" inline>
            <input type="checkbox" checked={includeAdult} onChange={(e) => setIncludeAdult(e.target.checked)} />
          </Field>
        </div>
      </fieldset>
      <fieldset>
        <legend>MusicBrainz</legend>
        <Field label="Enabled" inline>
          <input type="checkbox" checked={mb} onChange={(e) => setMb(e.target.checked)} />
        </Field>
      </fieldset>
      <ActionRow action={save} busyLabel="Saving…">
        <button type="submit" className="primary" disabled={save.busy}>
          Save metadata settings
        </button>
      </ActionRow>
    </form>
  );
}
