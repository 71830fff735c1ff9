import { Navigate, NavLink, Route, Routes } from 'react-router';
import type { UserInfo } from '../../api/client';
import { Notice, PageHeader } from '../../components/status';
import { DownloadClientsSettings } from './DownloadClientsSettings';
import { IndexersSettings } from './IndexersSettings';
import { MediaFoldersSettings } from './MediaFoldersSettings';
import { MetadataSettings } from './MetadataSettings';
import { QualitySettings } from './QualitySettings';

const TABS = [
  { to: 'clients', label: 'Download clients' },
  { to: 'indexers', label: 'Indexers' },
  { to: 'quality', label: 'Quality profiles' },
  { to: 'folders', label: 'Media folders' },
  { to: 'metadata', label: 'Metadata' },
];

export function SettingsPage({ user }: { user: UserInfo }) {
  return (
    <section>
      <PageHeader title="Settings" />
      {user.role !== 'admin' ? <Notice>Only an admin can change settings; you can read them.</Notice> : null}
      <nav className="tabs" aria-label="Settings sections">
        {TABS.map((t) => (
          <NavLink key={t.to} to={`/settings/${t.to}`}>
            {t.label}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Navigate to="clients" replace />} />
        <Route path="clients" element={<DownloadClientsSettings />} />
        <Route path="indexers" element={<IndexersSettings />} />
        <Route path="quality" element={<QualitySettings />} />
        <Route path="folders" element={<MediaFoldersSettings />} />
        <Route path="metadata" element={<MetadataSettings />} />
      </Routes>
    </section>
  );
}
