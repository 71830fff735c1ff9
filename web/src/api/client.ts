/**
 * The one way the app talks to the server. The access token lives in memory only; the refresh
 * token is kept in localStorage so a reload keeps the user signed in. A 401 triggers ONE refresh
 * shared by every caller waiting at that moment, then each retries once with the new token.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface UserInfo {
  id: string;
  email: string;
  role: 'admin' | 'user';
  disabled?: boolean;
  createdAt?: string;
}

interface TokenAnswer {
  ok: boolean;
  user: UserInfo;
  accessToken: string;
  refreshToken: string;
}

const REFRESH_KEY = 'mediaos.refreshToken';
let accessToken: string | null = null;
let currentUser: UserInfo | null = null;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<(user: UserInfo | null) => void>();

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** Called whenever the signed-in user changes (login, refresh with a new user, logout, expiry). */
export function onSessionChange(listener: (user: UserInfo | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(): void {
  for (const l of listeners) l(currentUser);
}

export function sessionUser(): UserInfo | null {
  return currentUser;
}

export function storedRefreshToken(): string | null {
  return storage()?.getItem(REFRESH_KEY) ?? null;
}

function adopt(answer: TokenAnswer): UserInfo {
  accessToken = answer.accessToken;
  currentUser = answer.user;
  storage()?.setItem(REFRESH_KEY, answer.refreshToken);
  emit();
  return answer.user;
}

function forget(): void {
  accessToken = null;
  currentUser = null;
  storage()?.removeItem(REFRESH_KEY);
  emit();
}

/** The message a failed answer carries: the server names the field or the reason. */
export function messageOf(status: number, body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const parts = [b.error, b.message].filter((v): v is string => typeof v === 'string' && v.length > 0);
    const unique = [...new Set(parts)];
    if (unique.length) return unique.join(': ');
  }
  return `HTTP ${status}`;
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function send(path: string, init: RequestInit & { json?: unknown }, withToken: boolean): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.json !== undefined) headers.set('content-type', 'application/json');
  if (withToken && accessToken) headers.set('authorization', `Bearer ${accessToken}`);
  return fetch(path, { ...init, headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
}

/** Exchanges the stored refresh token for a new pair; concurrent callers share one request. */
export function refreshSession(): Promise<boolean> {
  if (!refreshing) {
    refreshing = (async () => {
      const token = storedRefreshToken();
      if (!token) return false;
      try {
        const res = await send('/api/auth/refresh', { method: 'POST', json: { refreshToken: token } }, false);
        if (!res.ok) {
          // Another tab may have rotated the token meanwhile: only forget it if it is still ours.
          if (res.status === 401 && storedRefreshToken() === token) forget();
          return false;
        }
        adopt((await res.json()) as TokenAnswer);
        return true;
      } catch {
        return false;
      }
    })().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  /** false: call without a token (login, status). */
  auth?: boolean;
}

/** Sends a request with the access token (refreshing once on a 401); throws ApiError on a non-2xx answer. */
async function request(path: string, opts: RequestOptions): Promise<Response> {
  const auth = opts.auth !== false;
  const init = { method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'), json: opts.body, signal: opts.signal };
  if (auth && !accessToken && storedRefreshToken()) await refreshSession();
  const used = accessToken;
  let res = await send(path, init, auth);
  if (res.status === 401 && auth && storedRefreshToken()) {
    // Another caller may have refreshed while this request was out: then just retry with its token.
    if ((accessToken !== null && accessToken !== used) || (await refreshSession())) res = await send(path, init, auth);
  }
  if (!res.ok) {
    const body = await readBody(res);
    if (res.status === 401 && auth) forget();
    throw new ApiError(res.status, messageOf(res.status, body), body);
  }
  return res;
}

/** Calls the API; throws ApiError with the server's message on a non-2xx answer. */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  return (await readBody(await request(path, opts))) as T;
}

/**
 * Downloads a file the API serves only with a token (a plain link cannot send one): fetched as a
 * blob, then saved through a temporary object URL under `filename`.
 */
export async function downloadFile(path: string, filename: string, opts: { signal?: AbortSignal } = {}): Promise<number> {
  const blob = await (await request(path, { signal: opts.signal })).blob();
  const url = URL.createObjectURL(blob);
  try {
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    a.rel = 'noopener';
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    // the click has handed the blob to the browser's download; give it a moment before revoking
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return blob.size;
}

export async function login(email: string, password: string): Promise<UserInfo> {
  return adopt(await api<TokenAnswer>('/api/auth/login', { body: { email, password }, auth: false }));
}

/** First run: the first account registered is the admin. */
export async function registerFirstAdmin(email: string, password: string): Promise<UserInfo> {
  return adopt(await api<TokenAnswer>('/api/auth/register', { body: { email, password }, auth: false }));
}

/** Revokes the session on the server (so the stored refresh token is dead), then forgets it here. */
export async function logout(): Promise<void> {
  const refreshToken = storedRefreshToken();
  try {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (accessToken) headers.authorization = `Bearer ${accessToken}`;
    await fetch('/api/auth/logout', { method: 'POST', headers, body: JSON.stringify(refreshToken ? { refreshToken } : {}) });
  } finally {
    forget();
  }
}

/** On start: the stored refresh token, if any, signs the user back in. */
export async function resumeSession(): Promise<UserInfo | null> {
  if (!storedRefreshToken()) return null;
  await refreshSession();
  return currentUser;
}

/** A token for EventSource (which cannot send headers): POST /api/events/ticket. */
export async function eventsUrl(): Promise<string> {
  const r = await api<{ ticket: string }>('/api/events/ticket', { method: 'POST' });
  return `/api/events?ticket=${encodeURIComponent(r.ticket)}`;
}
