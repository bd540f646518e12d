// openagents provider earnings and provider jobs against a ledger of
// known jobs (ledger_fill -k): every figure and row recomputed here from
// what the fill says it wrote, with the calendar periods worked out by
// JavaScript's Date in three time zones (one with a half-hour offset);
// the filters, --json, --config, the errors and exit codes; the ledger
// left unchanged; and reading while a writer is at work.
import { spawn, spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const B = process.env.OA_BUILD_ROOT;
const oa = path.join(B, 'openagents');
const fill = path.join(B, 'tests', 'ledger', 'ledger_fill');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'oa-reports.'));
const db = path.join(home, 'provider', 'ledger.db');
const TYPES = ['PatchGen', 'CodeReview', 'RepoIndex', 'SandboxRun',
  'TextGen', 'unknown'];
const STATUSES = ['received', 'rejected', 'invoiced', 'running',
  'verifying', 'published', 'paid', 'expired', 'disputed', 'failed',
  'cancelled'];
let checks = 0;
let writer = null;

function run(args, env = {}) {
  const r = spawnSync(oa, args, {
    env: { ...process.env, OPENAGENTS_HOME: home, ...env },
    encoding: 'utf8', timeout: 20000,
  });
  assert.equal(r.error, undefined, `${args.join(' ')}: ${r.error}`);
  return r;
}

function ok(args, env) {
  const r = run(args, env);
  assert.equal(r.status, 0, `${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  assert.equal(r.stderr, '', `${args.join(' ')}: stderr ${r.stderr}`);
  checks++;
  return r.stdout;
}

function fails(args, code, ...want) {
  const r = run(args);
  assert.equal(r.status, code, `${args.join(' ')}: exit ${r.status}, want ${code}`);
  for (const w of want)
    assert.ok(r.stderr.includes(w), `${args.join(' ')}: stderr ${JSON.stringify(r.stderr)} lacks ${w}`);
  checks++;
  return r;
}

const thousands = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

function duration(j) {
  if (j.started_at === 0 || j.finished_at === 0 || j.finished_at < j.started_at)
    return null;
  return j.finished_at - j.started_at;
}

function fmtDuration(s) {
  const p2 = (n) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${p2(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${p2(Math.floor(s % 3600 / 60))}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor(s % 86400 / 3600)}h`;
}

// Local midnight today, on Monday, on the 1st.
function periodStart(period, now) {
  if (period === 'all') return 0;
  const d = new Date(now * 1000);
  let day = d.getDate();
  if (period === 'week') day -= (d.getDay() + 6) % 7;
  if (period === 'month') day = 1;
  return Math.floor(new Date(d.getFullYear(), d.getMonth(), day).getTime() / 1000);
}

function figures(list) {
  const n = {};
  for (const s of STATUSES) n[s] = 0;
  let earned = 0;
  for (const j of list) {
    n[j.status]++;
    earned += j.earned_sats;
  }
  const good = n.paid + n.published + n.expired;
  const judged = good + n.failed + n.disputed;
  const rate = judged === 0 ? null :
    Math.floor((good * 1000 + Math.floor(judged / 2)) / judged);
  return {
    all: list.length,
    jobs: list.length - n.rejected,
    earned_sats: earned,
    avg_sats: n.paid === 0 ? null :
      Math.floor((earned + Math.floor(n.paid / 2)) / n.paid),
    rate,
    success_rate: rate === null ? null : Number(`${Math.floor(rate / 10)}.${rate % 10}`),
    n,
  };
}

function expectEarningsJson(got, f) {
  assert.equal(got.jobs, f.jobs);
  assert.equal(got.earned_sats, f.earned_sats);
  assert.equal(got.avg_sats, f.avg_sats);
  assert.equal(got.success_rate, f.success_rate);
  for (const s of ['paid', 'published', 'expired', 'failed', 'disputed',
    'cancelled', 'rejected'])
    assert.equal(got[s], f.n[s], s);
}

function earningsText(period, f, byType) {
  const title = { day: 'Today', week: 'This week', month: 'This month',
    all: 'All time' }[period];
  let t = `${title}:\n  Jobs: ${thousands(f.jobs)}\n` +
    `  Earnings: ${thousands(f.earned_sats)} sats\n` +
    `  Avg per job: ${f.avg_sats === null ? '\u2013' : thousands(f.avg_sats) + ' sats'}\n` +
    `  Success rate: ${f.rate === null ? '\u2013' : `${Math.floor(f.rate / 10)}.${f.rate % 10}%`}\n`;
  const rows = byType.filter(([, g]) => g.jobs > 0);
  if (rows.length === 0) return t;
  const wn = Math.max(...rows.map(([ty]) => ty.length + 1));
  const wj = Math.max(...rows.map(([, g]) => thousands(g.jobs).length));
  const ws = Math.max(...rows.map(([, g]) => thousands(g.earned_sats).length));
  t += '\nBy job type:\n';
  for (const [ty, g] of rows)
    t += `  ${(ty + ':').padEnd(wn)} ${thousands(g.jobs).padStart(wj)} ${g.jobs === 1 ? 'job, ' : 'jobs,'} ` +
      `${thousands(g.earned_sats).padStart(ws)} sats\n`;
  return t;
}

function checkEarnings(jobs, tz) {
  for (const period of ['day', 'week', 'month', 'all']) {
    let got, from;
    // a period that turns over between the two runs is asked again
    for (let tries = 0; ; tries++) {
      got = JSON.parse(ok(['provider', 'earnings', '--period', period, '--json'], { TZ: tz }));
      process.env.TZ = tz;
      from = periodStart(period, got.to - 1);
      if (got.from === from || tries === 2) break;
    }
    assert.equal(got.period, period);
    assert.equal(got.from, from, `${tz} ${period}: from`);
    assert.ok(Math.abs(got.to - Date.now() / 1000) < 30);
    const inside = jobs.filter((j) => j.received_at >= got.from && j.received_at < got.to);
    const f = figures(inside);
    expectEarningsJson(got, f);
    const byType = TYPES.map((ty) => [ty, figures(inside.filter((j) => j.type === ty))]);
    const want = byType.filter(([, g]) => g.all > 0);
    assert.deepEqual(got.by_type.map((e) => e.type), want.map(([ty]) => ty));
    got.by_type.forEach((e, i) => expectEarningsJson(e, want[i][1]));
    // the per-day series: every day of the period (the last 30 for all)
    assert.ok(Array.isArray(got.by_day), 'by_day');
    if (period === 'day') assert.equal(got.by_day.length, 0);
    for (const d of got.by_day) {
      const next = got.by_day.find((x) => x.from > d.from)?.from ?? got.to;
      const day = jobs.filter((j) => j.received_at >= d.from && j.received_at < next);
      assert.equal(d.earned_sats, figures(day).earned_sats, `${tz} ${period} by_day ${d.from}`);
      assert.equal(d.jobs, figures(day).jobs, `${tz} ${period} by_day jobs ${d.from}`);
    }
    if (period === 'week' || period === 'month') {
      assert.equal(got.by_day[0].from, got.from, `${tz} ${period}: by_day starts with the period`);
      assert.equal(got.by_day.reduce((n, d) => n + d.earned_sats, 0), got.earned_sats);
    }
    const text = ok(['provider', 'earnings', '--period', period], { TZ: tz });
    const [head, chart] = text.split('\nBy day:\n');
    assert.equal(head, earningsText(period, f, byType), `${tz} ${period}`);
    // a bar chart line per day, when there is a table to chart
    if (chart !== undefined)
      assert.equal(chart.trimEnd().split('\n').length, got.by_day.length, `${tz} ${period}: chart`);
  }
}

function row(j) {
  const d = duration(j);
  return `${j.id.padEnd(20)}  ${j.type.padEnd(10)}  ${j.status.padEnd(9)}  ` +
    `${thousands(j.earned_sats).padEnd(9)}  ${d === null ? '-' : fmtDuration(d)}`;
}

const HEADER = `${'ID'.padEnd(20)}  ${'Type'.padEnd(10)}  ${'Status'.padEnd(9)}  ${'Earned'.padEnd(9)}  Duration`;

function checkJobs(jobs) {
  const newest = [...jobs].sort((a, b) => b.received_at - a.received_at || b.seq - a.seq);
  const all = JSON.parse(ok(['provider', 'jobs', '--limit', '0', '--json']));
  assert.equal(all.length, jobs.length);
  all.forEach((g, i) => {
    const w = newest[i];
    const d = duration(w);
    assert.deepEqual(g, {
      id: w.id, request_id: w.request_id, type: w.type, kind: w.kind,
      status: w.status, price_sats: w.price_sats, earned_sats: w.earned_sats,
      error_code: w.error_code || null, created_at: w.created_at || null,
      started_at: w.started_at || null, finished_at: w.finished_at || null,
      duration_secs: d, result_id: w.result_id || null,
    }, `row ${i}`);
  });
  // the default: 20, as a table
  let lines = ok(['provider', 'jobs']).split('\n');
  assert.equal(lines.pop(), '');
  assert.deepEqual(lines, [HEADER, ...newest.slice(0, 20).map(row)]);
  lines = ok(['provider', 'jobs', '--limit', '5']).trimEnd().split('\n');
  assert.deepEqual(lines, [HEADER, ...newest.slice(0, 5).map(row)]);
  lines = ok(['provider', 'jobs', '--limit=0']).trimEnd().split('\n');
  assert.equal(lines.length, jobs.length + 1);
  // each formatting case is in the set
  for (const re of [/  -$/, / \d+s$/, / \d+m \d\ds$/, / \d+h \d\dm$/, / \d+d \d+h$/,
    / 1,234,567 /, /  unknown /])
    assert.ok(lines.some((l) => re.test(l)), `no row matches ${re}`);

  const filters = [
    [['--status', 'paid'], (j) => j.status === 'paid'],
    [['--status', 'failed', '--limit', '3'], (j) => j.status === 'failed', 3],
    [['--type', 'PatchGen'], (j) => j.type === 'PatchGen'],
    [['--type', 'TextGen', '--status', 'expired'],
      (j) => j.type === 'TextGen' && j.status === 'expired'],
    [['--status', 'disputed', '--type', 'SandboxRun', '--limit', '0'],
      (j) => j.type === 'SandboxRun' && j.status === 'disputed'],
  ];
  let empty = 0;
  for (const [args, pred, limit = 20] of filters) {
    const want = newest.filter(pred).slice(0, limit);
    const got = JSON.parse(ok(['provider', 'jobs', ...args, '--json']));
    assert.deepEqual(got.map((j) => j.id), want.map((j) => j.id), args.join(' '));
    const text = ok(['provider', 'jobs', ...args]);
    if (want.length === 0) {
      assert.equal(text, `${HEADER}\n(no jobs)\n`);
      empty++;
    } else
      assert.equal(text, [HEADER, ...want.map(row)].join('\n') + '\n');
  }
  assert.equal(empty, 1, 'one filter matches nothing');
}

function checkErrors() {
  const statuses = STATUSES.join(', ');
  fails(['provider', 'jobs', '--status', 'Paid'], 2, "'Paid'", statuses);
  fails(['provider', 'jobs', '--status', ''], 2, "''", statuses);
  fails(['provider', 'jobs', '--type', 'patchgen'], 2, "'patchgen'",
    'PatchGen, CodeReview, RepoIndex, SandboxRun, TextGen');
  fails(['provider', 'jobs', '--limit', '-1'], 2, '-1');
  fails(['provider', 'jobs', '--limit', '20x'], 2, '20x');
  fails(['provider', 'jobs', '--limit'], 2);
  fails(['provider', 'jobs', '--period', 'day'], 2, 'usage');
  fails(['provider', 'jobs', 'extra'], 2, 'usage');
  fails(['provider', 'earnings', '--period', 'year'], 2, "'year'", 'day, week, month, all');
  fails(['provider', 'earnings', '--limit', '3'], 2, 'usage');
  fails(['provider', 'earnings', '--bogus'], 2);
  for (const cmd of ['jobs', 'earnings']) {
    const r = run(['provider', cmd, '--help']);
    assert.equal(r.status, 0);
    assert.ok(r.stdout.startsWith(`usage: openagents provider ${cmd} `), r.stdout);
    checks++;
  }
}

// The ledger found beside --config FILE, given before or after the noun;
// and one of an older schema refused with the reason.
function checkConfig(jobs) {
  const other = fs.mkdtempSync(path.join(os.tmpdir(), 'oa-reports-cfg.'));
  try {
    fs.writeFileSync(path.join(other, 'config.toml'), '');
    fs.copyFileSync(db, path.join(other, 'ledger.db'));
    const cfg = path.join(other, 'config.toml');
    const empty = path.join(other, 'nohome');
    for (const args of [['--config', cfg, 'provider', 'jobs', '--limit', '0', '--json'],
      ['provider', 'jobs', '--limit', '0', '--json', '--config', cfg]]) {
      const got = JSON.parse(ok(args, { OPENAGENTS_HOME: empty }));
      assert.equal(got.length, jobs.length);
    }
    const py = spawnSync('python3', ['-c', `import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("DROP TABLE payments; DROP TABLE invoices; DROP INDEX jobs_result; PRAGMA user_version = 1;")
c.close()`, path.join(other, 'ledger.db')], { encoding: 'utf8', timeout: 20000 });
    assert.equal(py.status, 0, py.stderr);
    for (const cmd of ['jobs', 'earnings']) {
      const r = run(['--config', cfg, 'provider', cmd], { OPENAGENTS_HOME: empty });
      assert.equal(r.status, 1);
      assert.ok(r.stderr.includes('schema v1'), r.stderr);
      checks++;
    }
  } finally {
    fs.rmSync(other, { recursive: true, force: true });
  }
}

// A writer adding jobs all the while, as the daemon does.
async function checkBesideWriter() {
  const busy = fs.mkdtempSync(path.join(os.tmpdir(), 'oa-reports-busy.'));
  try {
    fs.mkdirSync(path.join(busy, 'provider'));
    writer = spawn(fill, ['-q', path.join(busy, 'provider', 'ledger.db'), '30000', '30'],
      { stdio: 'ignore' });
    const deadline = Date.now() + 20000;
    while (!fs.existsSync(path.join(busy, 'provider', 'ledger.db')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    // reads until the writer's first batch is in, six at least
    let last = 0;
    const until = Date.now() + 40000;
    for (let i = 0; i < 6 || (last === 0 && Date.now() < until); i++) {
      const got = JSON.parse(ok(['provider', 'earnings', '--period', 'all', '--json'],
        { OPENAGENTS_HOME: busy }));
      assert.ok(got.jobs + got.rejected >= last);
      last = got.jobs + got.rejected;
      const list = JSON.parse(ok(['provider', 'jobs', '--json', '--limit', '3'],
        { OPENAGENTS_HOME: busy }));
      assert.ok(list.length <= 3);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(last > 0, 'the writer wrote nothing');
  } finally {
    if (writer !== null && writer.exitCode === null) {
      const w = writer;
      const gone = new Promise((r) => w.once('exit', r));
      process.kill(w.pid, 'SIGTERM');
      await gone;
    }
    writer = null;
    fs.rmSync(busy, { recursive: true, force: true });
  }
}

function sha(p) {
  return crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
}

try {
  for (const cmd of ['jobs', 'earnings'])
    for (const extra of [[], ['--json']])
      fails(['provider', cmd, ...extra], 1, `no ledger yet at ${db}`);

  fs.mkdirSync(path.join(home, 'provider'));
  const r = spawnSync(fill, ['-k', db], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  const jobs = r.stdout.trim().split('\n').map((l, seq) => ({ ...JSON.parse(l), seq }));
  assert.ok(jobs.length >= 60);
  const before = sha(db);
  const files = fs.readdirSync(path.join(home, 'provider')).sort();

  checkJobs(jobs);
  for (const tz of ['Europe/Berlin', 'Asia/Kolkata', 'UTC'])
    checkEarnings(jobs, tz);
  checkErrors();
  checkConfig(jobs);
  assert.equal(sha(db), before, 'the reports changed the ledger');
  // SQLite's readers of a WAL file may leave its -wal and -shm, private
  for (const f of fs.readdirSync(path.join(home, 'provider'))) {
    if (files.includes(f)) continue;
    assert.ok(['ledger.db-wal', 'ledger.db-shm'].includes(f), f);
    assert.equal(fs.statSync(path.join(home, 'provider', f)).mode & 0o7777, 0o600, f);
  }
  await checkBesideWriter();
  console.log(`ok: ${checks} commands checked against ${jobs.length} jobs`);
} finally {
  if (writer !== null && writer.exitCode === null)
    process.kill(writer.pid, 'SIGKILL');
  fs.rmSync(home, { recursive: true, force: true });
}
