import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { type Fake, type Received, startFake } from './fakes.js';

/**
 * A local SABnzbd that answers its documented API (`{base}/api?mode=...&output=json&apikey=...`)
 * with SABnzbd's JSON shapes, and keeps state like SABnzbd does: `addurl` fetches the NZB from
 * the given URL, `addfile` takes a multipart upload (part `name`); each job goes Queued ->
 * Downloading -> (history) Verifying -> Completed, one step per `queue` poll, its files written
 * into `<completeDir>/<cat>/<job name>/` (`storage`). Which files a job "downloads" is the test's
 * `deliver(nzb)`: undefined makes the job fail as SABnzbd reports missing articles.
 * Errors as SABnzbd gives them: HTTP 200 `{status:false,error}` ("API Key Required",
 * "API Key Incorrect", "Not implemented").
 */

export const SAB_VERSION = '4.3.3';

export interface SabJob {
  nzo_id: string;
  name: string;
  cat: string;
  bytes: number;
  step: number;
  nzb: string;
  files?: Record<string, Buffer>;
}

export interface SabServer extends Fake {
  jobs: SabJob[];
}

const MB = 1024 * 1024;
const STEPS = ['Queued', 'Downloading', 'Verifying', 'Completed'] as const;

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The job name SABnzbd derives: `nzbname` if given, else the NZB's file name without `.nzb`. */
function jobName(given: string | null, fileName: string): string {
  return (given || fileName).replace(/\.nzb$/i, '').replace(/[\\/]/g, '_') || 'job';
}

/** Total of the NZB's `<segment bytes="...">`. */
function nzbBytes(nzb: string): number {
  return [...nzb.matchAll(/<segment[^>]*\sbytes="(\d+)"/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

export async function startSabServer(opts: {
  apiKey: string;
  completeDir: string;
  deliver: (nzb: string) => Record<string, Buffer> | undefined;
  prefix?: string;
}): Promise<SabServer> {
  const prefix = opts.prefix ?? '/sabnzbd';
  const jobs: SabJob[] = [];

  function add(nzb: string, name: string, cat: string | null): string {
    const nzo_id = `SABnzbd_nzo_${randomBytes(4).toString('hex')}`;
    jobs.push({ nzo_id, name, cat: cat || '*', bytes: nzbBytes(nzb), step: 0, nzb });
    return nzo_id;
  }

  /** One poll's worth of progress; a job reaching Verifying writes its files (or fails). */
  function advance(): void {
    for (const job of jobs) {
      if (job.step >= STEPS.length - 1 || job.step < 0) continue;
      job.step++;
      if (STEPS[job.step] === 'Verifying') {
        const files = opts.deliver(job.nzb);
        if (!files) job.step = -1;
        else {
          const dir = join(opts.completeDir, job.cat === '*' ? '' : job.cat, job.name);
          mkdirSync(dir, { recursive: true });
          for (const [f, data] of Object.entries(files)) writeFileSync(join(dir, f), data);
          job.files = files;
        }
      }
    }
  }

  const queueSlot = (job: SabJob, index: number) => {
    const mb = job.bytes / MB;
    const left = job.step === 0 ? mb : mb / 2;
    return {
      index,
      nzo_id: job.nzo_id,
      unpackopts: '3',
      priority: 'Normal',
      script: 'None',
      filename: job.name,
      labels: [],
      password: '',
      cat: job.cat,
      mbleft: left.toFixed(2),
      mb: mb.toFixed(2),
      size: `${mb.toFixed(1)} MB`,
      sizeleft: `${left.toFixed(1)} MB`,
      percentage: String(Math.round(((mb - left) / (mb || 1)) * 100)),
      mbmissing: '0.00',
      direct_unpack: null,
      status: STEPS[job.step],
      timeleft: job.step === 0 ? '0:00:00' : '0:00:02',
      avg_age: '2d',
    };
  };

  const historySlot = (job: SabJob) => {
    const failed = job.step < 0;
    const storage = join(opts.completeDir, job.cat === '*' ? '' : job.cat, job.name);
    return {
      id: jobs.indexOf(job) + 1,
      completed: 1733050000 + jobs.indexOf(job),
      name: job.name,
      nzb_name: `${job.name}.nzb`,
      category: job.cat,
      pp: 'D',
      script: 'None',
      report: '',
      url: '',
      status: failed ? 'Failed' : STEPS[job.step],
      nzo_id: job.nzo_id,
      storage: failed || STEPS[job.step] !== 'Completed' ? null : storage,
      path: storage,
      script_line: '',
      download_time: 2,
      postproc_time: 1,
      stage_log: [],
      downloaded: job.bytes,
      completeness: null,
      fail_message: failed ? 'Download failed - Not on your server(s)' : '',
      url_info: '',
      bytes: job.bytes,
      meta: null,
      series: null,
      md5sum: '',
      password: null,
      duplicate_key: job.name,
      archive: false,
      time_added: 1733049990,
      size: `${(job.bytes / MB).toFixed(1)} MB`,
      loaded: false,
      retry: failed ? 1 : 0,
    };
  };

  async function handle(req: Received, res: ServerResponse): Promise<void> {
    if (req.path !== `${prefix}/api`) {
      res.writeHead(404).end('Not Found');
      return;
    }
    let params = req.query;
    let upload: File | undefined;
    if (req.method === 'POST') {
      const form = await new Response(new Uint8Array(req.body), { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
      params = new URLSearchParams();
      for (const [k, v] of form.entries()) {
        if (typeof v === 'string') params.set(k, v);
        else if (k === 'name' || k === 'nzbfile') upload = v;
      }
    }
    const mode = params.get('mode');
    if (mode === 'version') return json(res, { version: SAB_VERSION });
    const key = params.get('apikey');
    if (!key) return json(res, { status: false, error: 'API Key Required' });
    if (key !== opts.apiKey) return json(res, { status: false, error: 'API Key Incorrect' });
    switch (mode) {
      case 'addurl': {
        const url = params.get('name') ?? '';
        const r = await fetch(url).catch(() => undefined);
        if (!r?.ok) return json(res, { status: false, nzo_ids: [] });
        const file = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? 'download');
        return json(res, { status: true, nzo_ids: [add(await r.text(), jobName(params.get('nzbname'), file), params.get('cat'))] });
      }
      case 'addfile': {
        if (!upload) return json(res, { status: false, error: 'expects one parameter' });
        return json(res, { status: true, nzo_ids: [add(await upload.text(), jobName(params.get('nzbname'), upload.name), params.get('cat'))] });
      }
      case 'queue': {
        const op = params.get('name');
        if (op) {
          const ids = (params.get('value') ?? '').split(',');
          for (const id of op === 'delete' ? ids : []) {
            const i = jobs.findIndex((j) => j.nzo_id === id);
            if (i >= 0) jobs.splice(i, 1);
          }
          return json(res, { status: true, nzo_ids: ids });
        }
        advance();
        const active = jobs.filter((j) => j.step >= 0 && j.step <= 1);
        const slots = active.map(queueSlot);
        return json(res, {
          queue: {
            status: active.some((j) => j.step === 1) ? 'Downloading' : 'Idle',
            paused: false,
            noofslots: slots.length,
            noofslots_total: slots.length,
            limit: Number(params.get('limit') ?? 0),
            start: 0,
            timeleft: '0:00:02',
            speed: '1.0 M',
            kbpersec: '1024.00',
            version: SAB_VERSION,
            slots: params.get('limit') ? slots.slice(0, Number(params.get('limit'))) : slots,
          },
        });
      }
      case 'history': {
        const done = jobs.filter((j) => j.step < 0 || j.step >= 2).reverse();
        const limit = Number(params.get('limit') ?? 0) || done.length;
        return json(res, { history: { noofslots: done.length, total_size: '0 B', slots: done.slice(0, limit).map(historySlot) } });
      }
      default:
        return json(res, { status: false, error: 'Not implemented' });
    }
  }

  const fake = await startFake((req, res) => void handle(req, res));
  return Object.assign(fake, { jobs });
}
