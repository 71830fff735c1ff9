import { useState } from 'react';

/** The item's poster, or placeholder art (its initial) when it has none or the image fails. */
export function Poster({ url, title, className = 'poster' }: { url?: string; title: string; className?: string }) {
  const [failed, setFailed] = useState(false);
  if (url && !failed) {
    return <img className={className} src={url} alt="" loading="lazy" decoding="async" onError={() => setFailed(true)} />;
  }
  return (
    <div className={className} aria-hidden="true">
      {title.trim().charAt(0).toUpperCase() || '?'}
    </div>
  );
}
