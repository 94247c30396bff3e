'use strict';
// Throwaway PostgreSQL and Redis for n8n's queue mode: a cluster made with initdb in a folder of our
// own, on its own port (nothing of the machine's own PostgreSQL is touched), and a redis-server that
// keeps nothing on disk. Both are killed with the process group when we exit (see proc.js).

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const path = require('node:path');
const { run, startDaemon, sleep } = require('./proc');
const { freePort } = require('./ports');

const APT_HINT = {
	postgres:
		"install Debian's PostgreSQL server (apt-get install postgresql) or set PG_BIN to the folder holding initdb, pg_ctl and postgres",
	redis:
		"install Debian's Redis server (apt-get install redis-server) or set REDIS_SERVER to its path",
};

function onPath(name) {
	for (const dir of (process.env.PATH || '').split(path.delimiter)) {
		const file = path.join(dir, name);
		if (dir && fs.existsSync(file)) return file;
	}
	return null;
}

/** The folder with PostgreSQL's server programs: PG_BIN, Debian's newest /usr/lib/postgresql/<v>/bin, or PATH. */
function postgresBinDir() {
	if (process.env.PG_BIN) return process.env.PG_BIN;
	const root = '/usr/lib/postgresql';
	if (fs.existsSync(root)) {
		const versions = fs
			.readdirSync(root)
			.filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
			.sort((a, b) => Number(b) - Number(a));
		if (versions.length) return path.join(root, versions[0], 'bin');
	}
	const initdb = onPath('initdb');
	if (initdb) return path.dirname(fs.realpathSync(initdb));
	throw new Error(`PostgreSQL's initdb was not found: ${APT_HINT.postgres}`);
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` account (Debian's), else `nobody`. */
function serverAccount() {
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
	const passwd = fs.readFileSync('/etc/passwd', 'utf8').split('\n');
	for (const name of ['postgres', 'nobody']) {
		const line = passwd.find((l) => l.startsWith(`${name}:`));
		if (line) {
			const [, , uid, gid] = line.split(':');
			return { uid: Number(uid), gid: Number(gid), name };
		}
	}
	throw new Error('running as root and no `postgres` or `nobody` account to run PostgreSQL as');
}

/** Whether `account` may walk down to dir: every existing ancestor is its own or searchable by others. */
function reachable(dir, account) {
	for (let d = path.dirname(path.resolve(dir)); ; d = path.dirname(d)) {
		if (fs.existsSync(d)) {
			const st = fs.statSync(d);
			if (st.uid !== account.uid && !(st.mode & 0o001)) return false;
		}
		if (d === path.dirname(d)) return true;
	}
}

/**
 * Where a cluster asked for in `dir` really lives: `dir`, unless PostgreSQL's account (when we are
 * root) cannot reach it (e.g. under /root, mode 0700); then a stable folder of the temp dir.
 */
function postgresLocation(dir) {
	const account = serverAccount();
	if (account.uid === undefined || reachable(dir, account)) return dir;
	return path.join(
		os.tmpdir(),
		`n8n-pg-${crypto.createHash('sha1').update(dir).digest('hex').slice(0, 10)}`,
	);
}

/**
 * A fresh PostgreSQL cluster in `dir` (created if needed; reused when it already holds one, so a
 * demo keeps its data), listening on 127.0.0.1:`port` only, trust authentication for the `n8n` role,
 * database `n8n`. Durability is off (fsync): this is a throwaway. Resolves {port, env (n8n's DB_*),
 * query(sql) → rows, stop(), logFile}.
 */
async function startPostgres({ dir, port, log = () => {} } = {}) {
	const bin = postgresBinDir();
	port = port || (await freePort());
	const account = serverAccount();
	const location = postgresLocation(dir);
	if (location !== dir) {
		log(`${account.name} cannot reach ${dir}: the cluster lives in ${location}`);
		dir = location;
	}
	const dataDir = path.join(dir, 'data');
	const logFile = path.join(dir, 'postgres.log');
	fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
	if (account.uid !== undefined) fs.chownSync(dir, account.uid, account.gid);
	const asServer = { uid: account.uid, gid: account.gid, cwd: dir, logFile };
	if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
		log(`initdb ${dataDir}${account.name ? ` (as ${account.name}: PostgreSQL refuses root)` : ''}`);
		await run(
			path.join(bin, 'initdb'),
			['-D', dataDir, '-U', 'n8n', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'],
			asServer,
		);
	}
	const server = startDaemon(
		path.join(bin, 'postgres'),
		[
			'-D',
			dataDir,
			'-p',
			String(port),
			'-k',
			dir,
			'-c',
			'listen_addresses=127.0.0.1',
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
		],
		{ ...asServer, env: process.env, stopSignal: 'SIGINT' },
	);
	let exited = null;
	server.exited.then((e) => (exited = e));
	const client = (program, args, opts = {}) =>
		run(
			onPath(program) || path.join(bin, program),
			['-h', '127.0.0.1', '-p', String(port), '-U', 'n8n', ...args],
			{ env: { ...process.env, PGCONNECT_TIMEOUT: '5' }, ...opts },
		);
	const deadline = Date.now() + 60000;
	for (;;) {
		if (exited) throw new Error(`postgres exited (${JSON.stringify(exited)}); see ${logFile}`);
		const ready = await client('pg_isready', ['-d', 'postgres'], { check: false });
		if (ready.code === 0) break;
		if (Date.now() > deadline)
			throw new Error(`postgres did not accept connections; see ${logFile}`);
		await sleep(300);
	}
	const exists = await client('psql', [
		'-d',
		'postgres',
		'-XAtc',
		"SELECT 1 FROM pg_database WHERE datname = 'n8n'",
	]);
	if (exists.stdout.trim() !== '1') await client('createdb', ['n8n']);
	log(`PostgreSQL on 127.0.0.1:${port} (data ${dataDir}, log ${logFile})`);

	/** Runs one SELECT and resolves its rows as objects (through json_agg: types survive). */
	const query = async (sql) => {
		const { stdout } = await client('psql', [
			'-d',
			'n8n',
			'-XAt',
			'-v',
			'ON_ERROR_STOP=1',
			'-c',
			`SELECT coalesce(json_agg(t), '[]'::json) FROM (${sql}) t`,
		]);
		return JSON.parse(stdout.trim());
	};
	return {
		port,
		dir,
		logFile,
		env: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(port),
			DB_POSTGRESDB_DATABASE: 'n8n',
			DB_POSTGRESDB_USER: 'n8n',
			DB_POSTGRESDB_PASSWORD: '',
		},
		query,
		stop: () => server.stop(15000),
	};
}

/** Sends PING to a Redis port; resolves true on +PONG. */
function redisPing(port) {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		let data = '';
		socket.setTimeout(2000, () => {
			socket.destroy();
			resolve(false);
		});
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (d) => {
			data += d;
			if (data.includes('\r\n')) {
				socket.end();
				resolve(data.startsWith('+PONG'));
			}
		});
		socket.on('error', () => resolve(false));
	});
}

/** A redis-server on 127.0.0.1:`port` that saves nothing. Resolves {port, env (n8n's QUEUE_BULL_REDIS_*), stop(), logFile}. */
async function startRedis({ dir, port, log = () => {} } = {}) {
	const bin = process.env.REDIS_SERVER || onPath('redis-server') || '/usr/bin/redis-server';
	if (!fs.existsSync(bin)) throw new Error(`redis-server was not found: ${APT_HINT.redis}`);
	port = port || (await freePort());
	fs.mkdirSync(dir, { recursive: true });
	const logFile = path.join(dir, 'redis.log');
	const server = startDaemon(
		bin,
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir,
		],
		{ cwd: dir, env: process.env, logFile },
	);
	let exited = null;
	server.exited.then((e) => (exited = e));
	const deadline = Date.now() + 30000;
	while (!(await redisPing(port))) {
		if (exited) throw new Error(`redis-server exited (${JSON.stringify(exited)}); see ${logFile}`);
		if (Date.now() > deadline) throw new Error(`redis-server did not answer PING; see ${logFile}`);
		await sleep(200);
	}
	log(`Redis on 127.0.0.1:${port} (log ${logFile})`);
	return {
		port,
		logFile,
		env: { QUEUE_BULL_REDIS_HOST: '127.0.0.1', QUEUE_BULL_REDIS_PORT: String(port) },
		stop: () => server.stop(10000),
	};
}

module.exports = { startPostgres, startRedis, postgresBinDir, postgresLocation };
