'use strict';
// n8n's queue mode (its distributed engine) on one machine: PostgreSQL and Redis (services.js), one
// main (`n8n start`: editor, REST API, triggers and pollers, static data), workers (`n8n worker`:
// every production execution, taken from Redis), one webhook processor (`n8n webhook`: production
// webhook calls, turned into jobs). One database, one encryption key; each process has its own user
// folder (the packed package is installed in each, as n8n needs it wherever a node runs) and ports.

const fs = require('node:fs');
const path = require('node:path');
const { startDaemon, sleep } = require('./proc');
const { N8nInstance, tail } = require('./n8n');
const { installPackage } = require('./package');
const { freePort } = require('./ports');
const { startPostgres, startRedis } = require('./services');
const { makeLogger } = require('./log');

/** What n8n's own docs ask for in queue mode, plus what lets several processes share one machine. */
function queueEnv({ pg, redis, webhookPort }) {
	return {
		...pg.env,
		...redis.env,
		EXECUTIONS_MODE: 'queue',
		// "Execute workflow" in the editor runs on a worker too (n8n's announced default)
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		// production webhook URLs shown in the editor point at the webhook processor (a load balancer in production)
		WEBHOOK_URL: `http://127.0.0.1:${webhookPort}/`,
	};
}

/** One n8n process of the cluster: its N8nInstance (user folder, ports, env, CLI) and how to run it. */
class Role {
	constructor({ name, kind, instance, args, readyUrl, env }) {
		Object.assign(this, { name, kind, instance, args, readyUrl, env });
		this.daemon = null;
		this.logFile = path.join(instance.logDir, `${name}.log`);
		this.starts = [];
	}

	get running() {
		return !!this.daemon;
	}
}

class QueueCluster {
	/**
	 * Prepares (does not start n8n): PostgreSQL, Redis, one user folder per process with the package
	 * installed. Options: version (n8n), root (folder for everything), tarball (packed package),
	 * workers (2), concurrency (per worker, 5), env (extra env for every process), roleEnv ({main,
	 * worker, webhook}: extra env per kind), encryptionKey, postgresDir (default root/postgres;
	 * reused when it holds a cluster), ports ({main, webhook}; default free ones).
	 */
	static async create({
		version,
		root,
		tarball,
		workers = 2,
		concurrency = 5,
		env = {},
		roleEnv = {},
		encryptionKey,
		postgresDir = path.join(root, 'postgres'),
		ports = {},
		log = makeLogger('queue'),
	}) {
		fs.mkdirSync(root, { recursive: true });
		const pg = await startPostgres({ dir: postgresDir, log });
		const redis = await startRedis({ dir: path.join(root, 'redis'), log });
		const cluster = new QueueCluster({ version, root, pg, redis, log, env, roleEnv });
		try {
			const webhookPort = ports.webhook || (await freePort());
			cluster.common = queueEnv({ pg, redis, webhookPort });
			const make = async (name, kind, args, port) => {
				const instance = await N8nInstance.create({
					version,
					userFolder: path.join(root, name),
					port,
					encryptionKey,
				});
				encryptionKey = instance.encryptionKey;
				const extra = { ...(roleEnv[kind] || {}) };
				let readyUrl = `${instance.url}/healthz/readiness`;
				if (kind === 'worker') {
					const healthPort = await freePort();
					Object.assign(extra, {
						QUEUE_HEALTH_CHECK_ACTIVE: 'true',
						QUEUE_HEALTH_CHECK_PORT: String(healthPort),
						N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
					});
					readyUrl = `http://127.0.0.1:${healthPort}/healthz/readiness`;
				}
				if (kind === 'main') {
					// webhook calls go to the webhook processor only, as n8n recommends behind a load balancer
					extra.N8N_DISABLE_PRODUCTION_MAIN_PROCESS = 'true';
					readyUrl = `${instance.url}/rest/settings`;
				}
				if (tarball) await installPackage(instance.userFolder, tarball);
				return new Role({ name, kind, instance, args, readyUrl, env: extra });
			};
			cluster.main = await make('main', 'main', ['start'], ports.main);
			cluster.workers = [];
			for (let i = 1; i <= workers; i++)
				cluster.workers.push(
					await make(`worker-${i}`, 'worker', ['worker', `--concurrency=${concurrency}`]),
				);
			cluster.webhook = await make('webhook', 'webhook', ['webhook'], webhookPort);
			cluster.encryptionKey = encryptionKey;
			return cluster;
		} catch (e) {
			await cluster.dispose({ keep: true });
			throw e;
		}
	}

	constructor({ version, root, pg, redis, log, env, roleEnv }) {
		Object.assign(this, { version, root, pg, redis, log, extraEnv: env, roleEnv });
		this.main = null;
		this.workers = [];
		this.webhook = null;
	}

	get roles() {
		return [this.main, ...this.workers, this.webhook].filter(Boolean);
	}

	role(name) {
		const r = this.roles.find((x) => x.name === name);
		if (!r) throw new Error(`no n8n process named ${name}`);
		return r;
	}

	/** The env a process of this cluster runs with (`extra` last). */
	envFor(role, extra = {}) {
		return { ...this.common, ...this.extraEnv, ...role.env, ...extra };
	}

	/** An n8n CLI command (import, publish…) against the cluster's database, from the main's folder. */
	cli(args, { env = {}, check = true } = {}) {
		return this.main.instance.cli(args, { env: this.envFor(this.main, env), check });
	}

	/** Sets env for every process from now on (applies at their next start), e.g. the durable scheduler. */
	setEnv(env) {
		Object.assign(this.extraEnv, env);
	}

	/** Starts one process and waits until it says it is ready. Resolves the seconds it took. */
	async start(name, { timeoutMs = 240000 } = {}) {
		const role = this.role(name);
		if (role.daemon) return 0;
		const { instance } = role;
		const t0 = Date.now();
		fs.appendFileSync(
			role.logFile,
			`\n===== ${new Date().toISOString()} n8n ${role.args.join(' ')}\n`,
		);
		const daemon = startDaemon(instance.install.node, [instance.install.n8nBin, ...role.args], {
			cwd: instance.userFolder,
			env: instance.env(this.envFor(role)),
			logFile: role.logFile,
		});
		role.daemon = daemon;
		if (role.kind === 'main') instance.server = daemon;
		let exited = null;
		daemon.exited.then((e) => {
			exited = e;
			if (role.daemon === daemon) role.daemon = null;
		});
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			if (exited)
				throw new Error(
					`n8n ${name} exited (${JSON.stringify(exited)}) before it was ready; see ${role.logFile}\n${tail(role.logFile)}`,
				);
			try {
				const r = await fetch(role.readyUrl);
				const body = r.ok ? await r.json().catch(() => null) : null;
				// main: /rest/settings answers {data} once its REST API is up; others: readiness {status: 'ok'}
				if (body && (body.data || body.status === 'ok')) break;
			} catch {
				// not listening yet
			}
			if (Date.now() > deadline) {
				await this.stop(name);
				throw new Error(
					`n8n ${name} was not ready within ${timeoutMs / 1000}s; see ${role.logFile}\n${tail(role.logFile)}`,
				);
			}
			await sleep(500);
		}
		const seconds = (Date.now() - t0) / 1000;
		role.starts.push({ at: new Date(t0), readyAt: new Date(), seconds });
		this.log(`${name} ready in ${seconds.toFixed(1)}s (log ${role.logFile})`);
		return seconds;
	}

	/** Starts the main first (it runs the database migrations), then the others together. */
	async startAll() {
		await this.start('main');
		await Promise.all(this.roles.filter((r) => r !== this.main).map((r) => this.start(r.name)));
	}

	/** Graceful stop (SIGTERM, n8n drains), SIGKILL after graceMs. */
	async stop(name, { graceMs = 45000 } = {}) {
		const role = this.role(name);
		const daemon = role.daemon;
		if (!daemon) return;
		await daemon.stop(graceMs);
		role.daemon = null;
		if (role.kind === 'main') role.instance.server = null;
	}

	/** SIGKILL to the process group at once: a crash (power loss, OOM kill), nothing can clean up. */
	async kill(name) {
		const role = this.role(name);
		const daemon = role.daemon;
		if (!daemon) return;
		daemon.kill('SIGKILL');
		await daemon.exited;
		role.daemon = null;
	}

	async stopAll() {
		// workers last: they finish what they hold while the others stop
		await Promise.all([this.webhook, this.main].filter(Boolean).map((r) => this.stop(r.name)));
		await Promise.all(this.workers.map((r) => this.stop(r.name)));
	}

	/** Which process ran each execution, from the workers' own log lines ("Worker started execution N"). */
	executionsByWorker() {
		const byWorker = {};
		for (const w of this.workers) {
			byWorker[w.name] = new Set();
			const text = fs.existsSync(w.logFile) ? fs.readFileSync(w.logFile, 'utf8') : '';
			for (const m of text.matchAll(/Worker started execution (\d+)/g)) byWorker[w.name].add(m[1]);
		}
		return byWorker;
	}

	/** Stops everything (n8n, Redis, PostgreSQL) and removes the folder unless keep. */
	async dispose({ keep = false } = {}) {
		await this.stopAll().catch(() => {});
		await this.redis.stop().catch(() => {});
		await this.pg.stop().catch(() => {});
		if (!keep) fs.rmSync(this.root, { recursive: true, force: true });
	}
}

module.exports = { QueueCluster, queueEnv };
