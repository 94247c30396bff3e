'use strict';
// A real n8n driven from the outside: CLI commands (import, execute, activate) and server mode
// (start, owner account, API key, public executions API, credential test through the REST API).
// Each instance has its own user folder, encryption key, HTTP port and task-runner broker port, so
// several can run at once on one machine.

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { run, startDaemon, sleep } = require('./proc');
const { ensureN8n, envWithNode, majorOf } = require('./install');
const { freePorts } = require('./ports');
const { makeLogger } = require('./log');

/** What every n8n process we start gets: quiet, local-only, JSON logs (that is how `execute` prints results). */
function baseEnv({ userFolder, port, brokerPort, encryptionKey }) {
	return {
		N8N_USER_FOLDER: userFolder,
		// binary data files of the filesystem mode (n8n 2.x default) at a known place, for checks to read
		N8N_BINARY_DATA_STORAGE_PATH: path.join(userFolder, 'binary-data'),
		N8N_ENCRYPTION_KEY: encryptionKey,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_LOG_FORMAT: 'json',
		N8N_LOG_LEVEL: 'info',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		NO_PROXY: '127.0.0.1,localhost',
		no_proxy: '127.0.0.1,localhost',
	};
}

/**
 * The result `n8n execute --rawOutput` printed. With N8N_LOG_FORMAT=json every stdout line is a log
 * record; the result is the last record whose message is itself JSON. Returns null when there is none.
 */
function parseExecuteOutput(stdout) {
	const lines = stdout.split('\n').filter((l) => l.trim().startsWith('{'));
	for (let i = lines.length - 1; i >= 0; i--) {
		let record;
		try {
			record = JSON.parse(lines[i]);
		} catch {
			continue;
		}
		if (typeof record.message !== 'string') continue;
		const msg = record.message.trim();
		if (!msg.startsWith('{') && !msg.startsWith('[')) continue;
		try {
			return JSON.parse(msg);
		} catch {
			// a log message that merely starts with a brace
		}
	}
	return null;
}

/** Log messages of level error/warn printed by a CLI command, for failure reports. */
function logProblems(text) {
	const out = [];
	for (const line of text.split('\n')) {
		try {
			const r = JSON.parse(line);
			if (r.level === 'error' || r.level === 'warn') out.push(`${r.level}: ${r.message}`);
		} catch {
			if (line.trim()) out.push(line.trim());
		}
	}
	return out;
}

class N8nInstance {
	/**
	 * Use `N8nInstance.create({version})`. Fields: version, install (from ensureN8n), userFolder, port,
	 * brokerPort, url, encryptionKey, logDir.
	 */
	constructor(opts) {
		Object.assign(this, opts);
		this.url = `http://127.0.0.1:${this.port}`;
		this.log = makeLogger(`n8n ${this.version}`);
		this.server = null;
		this.cookie = null;
		this.apiKey = null;
		this.browserId = crypto.randomUUID();
	}

	/**
	 * Installs n8n@version if needed and prepares a fresh user folder with free ports.
	 * Options: userFolder (default: a new temp dir), port, brokerPort, encryptionKey, logDir.
	 */
	static async create({ version, userFolder, port, brokerPort, encryptionKey, logDir } = {}) {
		const install = await ensureN8n(version);
		const [p1, p2] = await freePorts(2);
		userFolder = userFolder || fs.mkdtempSync(path.join(os.tmpdir(), `n8n-${version}-`));
		fs.mkdirSync(userFolder, { recursive: true });
		logDir = logDir || path.join(userFolder, 'logs');
		fs.mkdirSync(logDir, { recursive: true });
		return new N8nInstance({
			version,
			install,
			userFolder,
			port: port || p1,
			brokerPort: brokerPort || p2,
			encryptionKey: encryptionKey || crypto.randomBytes(24).toString('hex'),
			logDir,
		});
	}

	get major() {
		return majorOf(this.version);
	}

	env(extra = {}) {
		return envWithNode(this.install.binDir, {
			...baseEnv(this),
			...this.install.env,
			...extra,
		});
	}

	/** Runs `n8n <args>`; resolves {code, stdout, stderr}. `check` (default true) rejects on a non-zero exit. */
	cli(args, { env = {}, check = true, timeoutMs = 10 * 60 * 1000 } = {}) {
		return run(this.install.node, [this.install.n8nBin, ...args], {
			cwd: this.userFolder,
			env: this.env(env),
			check,
			timeoutMs,
			logFile: path.join(this.logDir, 'cli.log'),
		});
	}

	writeTemp(name, data) {
		const file = path.join(
			this.userFolder,
			`${name}-${crypto.randomBytes(4).toString('hex')}.json`,
		);
		fs.writeFileSync(file, JSON.stringify(data, null, 2));
		return file;
	}

	/** Imports credentials (an array; `data` in plain text, n8n encrypts it with our key). */
	async importCredentials(credentials) {
		const file = this.writeTemp('credentials', credentials);
		await this.cli(['import:credentials', `--input=${file}`]);
		fs.rmSync(file);
	}

	/** Imports workflows (an array, each with its own `id`). */
	async importWorkflows(workflows) {
		const file = this.writeTemp(
			'workflows',
			workflows.map((w) => ({ active: false, ...w })),
		);
		await this.cli(['import:workflow', `--input=${file}`]);
		fs.rmSync(file);
	}

	/**
	 * `n8n execute --id=<id> --rawOutput`. Returns {ok, data, error, runData, lastNodeExecuted, raw}
	 * where data is what n8n printed (the run's `data`: {resultData: {runData, error?, lastNodeExecuted}}).
	 * Never trusts the exit code alone: ok needs a parsed result without a resultData.error.
	 */
	async executeWorkflow(id) {
		const res = await this.cli(['execute', `--id=${id}`, '--rawOutput'], { check: false });
		const data = parseExecuteOutput(res.stdout);
		const resultData = data && (data.resultData || (data.data && data.data.resultData));
		const error = (resultData && resultData.error) || null;
		const ok = res.code === 0 && !!resultData && !error;
		return {
			ok,
			code: res.code,
			data,
			runData: resultData ? resultData.runData : null,
			lastNodeExecuted: resultData ? resultData.lastNodeExecuted : null,
			error,
			problems: ok ? [] : logProblems(res.stdout + '\n' + res.stderr).slice(-15),
		};
	}

	/** Marks a workflow active so that `n8n start` registers its trigger (1.x: update:workflow, 2.x: publish:workflow). */
	async activateWorkflow(id) {
		if (this.major >= 2) await this.cli(['publish:workflow', `--id=${id}`]);
		else await this.cli(['update:workflow', `--id=${id}`, '--active=true']);
	}

	/** Starts `n8n start` and waits until its REST API answers. Resolves the server handle; its log is in logDir/server.log. */
	async startServer({ timeoutMs = 180000, env = {} } = {}) {
		const logFile = path.join(this.logDir, 'server.log');
		this.log(`starting server on ${this.url} (log: ${logFile})`);
		this.server = startDaemon(this.install.node, [this.install.n8nBin, 'start'], {
			cwd: this.userFolder,
			env: this.env(env),
			logFile,
		});
		const deadline = Date.now() + timeoutMs;
		let exited = null;
		this.server.exited.then((e) => (exited = e));
		while (Date.now() < deadline) {
			if (exited)
				throw new Error(
					`n8n start exited (${JSON.stringify(exited)}) before its REST API answered; see ${logFile}\n${tail(logFile)}`,
				);
			try {
				// /healthz answers before the REST routes exist; /rest/settings answers once they do
				// …and while starting up it answers any path 200 "n8n is starting up. Please wait"
				const r = await fetch(`${this.url}/rest/settings`);
				const body = r.ok ? await r.json().catch(() => null) : null;
				if (body && body.data) {
					this.log('server ready');
					return this.server;
				}
			} catch {
				// not listening yet
			}
			await sleep(500);
		}
		await this.stopServer();
		throw new Error(
			`n8n's REST API did not answer within ${timeoutMs / 1000}s; see ${logFile}\n${tail(logFile)}`,
		);
	}

	async stopServer() {
		if (!this.server) return;
		const s = this.server;
		this.server = null;
		await s.stop();
	}

	/** fetch against this n8n's REST API with our session cookie. Returns {status, body, headers}. */
	async rest(method, urlPath, body, { headers = {} } = {}) {
		const res = await fetch(`${this.url}${urlPath}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
				...(this.apiKey && urlPath.startsWith('/api/') ? { 'x-n8n-api-key': this.apiKey } : {}),
				...headers,
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = res.headers.getSetCookie ? res.headers.getSetCookie() : [];
		const auth = setCookie.find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth.split(';')[0];
		const text = await res.text();
		let parsed = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// not JSON
		}
		return { status: res.status, body: parsed, headers: res.headers };
	}

	/**
	 * rest() that retries while the route answers 404 or "n8n is starting up": n8n serves /healthz and
	 * /rest/settings before it has registered every controller.
	 */
	async restWhenReady(method, urlPath, body, { timeoutMs = 60000 } = {}) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const r = await this.rest(method, urlPath, body);
			const starting = typeof r.body === 'string' && r.body.includes('starting up');
			if ((r.status !== 404 && !starting) || Date.now() > deadline) return r;
			await sleep(500);
		}
	}

	/** Creates the owner account (fresh instance) and keeps its session cookie. Returns {email, password}. */
	async setupOwner({
		email = 'demo@example.com',
		password = 'Demo-password-1',
		firstName = 'Demo',
		lastName = 'User',
	} = {}) {
		const r = await this.restWhenReady('POST', '/rest/owner/setup', {
			email,
			password,
			firstName,
			lastName,
		});
		if (r.status !== 200)
			throw new Error(
				`owner setup failed: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`,
			);
		this.owner = { email, password };
		return this.owner;
	}

	/** Logs in (for an instance whose owner exists). Both field names: 1.x used `email`, later `emailOrLdapLoginId`. */
	async login({ email, password } = this.owner) {
		const r = await this.restWhenReady('POST', '/rest/login', {
			email,
			emailOrLdapLoginId: email,
			password,
		});
		if (r.status !== 200)
			throw new Error(`login failed: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
		return r.body;
	}

	/** Creates a public-API key able to read executions; later /api/ calls send it. */
	async createApiKey({
		scopes = ['execution:read', 'execution:list', 'workflow:read', 'workflow:list'],
	} = {}) {
		const r = await this.restWhenReady('POST', '/rest/api-keys', {
			label: `e2e-${Date.now()}`,
			scopes,
			expiresAt: null,
		});
		const data = r.body && r.body.data;
		const key = data && (data.rawApiKey || data.apiKey);
		if (r.status !== 200 || !key)
			throw new Error(
				`API key creation failed: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`,
			);
		this.apiKey = key;
		return key;
	}

	/** Executions of a workflow through the public API, newest first, with their data. */
	async listExecutions(workflowId, { includeData = true, limit = 50 } = {}) {
		const q = new URLSearchParams({
			workflowId: String(workflowId),
			includeData: String(includeData),
			limit: String(limit),
		});
		const r = await this.rest('GET', `/api/v1/executions?${q}`);
		if (r.status !== 200)
			throw new Error(
				`listing executions failed: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`,
			);
		return r.body.data;
	}

	/** Polls listExecutions until `predicate(executions)` is true. Returns the executions. */
	async waitForExecutions(workflowId, predicate, { timeoutMs = 90000, what = 'executions' } = {}) {
		const deadline = Date.now() + timeoutMs;
		let last = [];
		while (Date.now() < deadline) {
			last = await this.listExecutions(workflowId);
			if (predicate(last)) return last;
			await sleep(1000);
		}
		throw new Error(
			`timed out after ${timeoutMs / 1000}s waiting for ${what} of workflow ${workflowId}; saw ${last.length}: ${JSON.stringify(last.map((e) => ({ id: e.id, status: e.status, mode: e.mode })))}`,
		);
	}

	/**
	 * Runs a credential's `test` request through n8n's REST API as the editor's "Test" button does:
	 * the editor saves the credential, then posts it to /rest/credentials/test (n8n 2.x requires the
	 * id of a stored credential there). `credential`: {type, name, data} with plain data; a stored one
	 * ({id, ...}) is tested as is. Returns the response's `data`: {status: 'OK' | 'Error', message}.
	 */
	async testCredential(credential) {
		let stored = credential;
		let created = false;
		if (!credential.id) {
			const c = await this.rest('POST', '/rest/credentials', {
				name: credential.name || `test-${Date.now()}`,
				type: credential.type,
				data: credential.data,
			});
			if (c.status !== 200)
				throw new Error(
					`saving the credential failed: HTTP ${c.status} ${JSON.stringify(c.body).slice(0, 500)}`,
				);
			stored = { ...credential, id: c.body.data.id, name: c.body.data.name };
			created = true;
		}
		try {
			const r = await this.rest('POST', '/rest/credentials/test', {
				credentials: { id: stored.id, name: stored.name, type: stored.type, data: stored.data },
			});
			if (r.status !== 200)
				throw new Error(
					`credential test request failed: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`,
				);
			return r.body.data;
		} finally {
			if (created) await this.rest('DELETE', `/rest/credentials/${stored.id}`);
		}
	}

	/**
	 * What the editor asks when it fills a parameter's dropdown (`loadOptionsMethod`) or a resource
	 * locator's list (`searchListMethod`): POST /rest/dynamic-node-parameters/{options,resource-locator-results}.
	 * `request`: {nodeType, version, methodName, path, currentNodeParameters, credentials, filter?}.
	 * Resolves the response's `data`.
	 */
	async dynamicParameters(
		kind,
		{
			nodeType,
			version = 1,
			methodName,
			path: paramPath,
			currentNodeParameters = {},
			credentials,
			filter,
		},
	) {
		const route = kind === 'list' ? 'resource-locator-results' : 'options';
		const r = await this.rest('POST', `/rest/dynamic-node-parameters/${route}`, {
			nodeTypeAndVersion: { name: nodeType, version },
			methodName,
			path: paramPath,
			currentNodeParameters,
			credentials,
			...(filter !== undefined ? { filter } : {}),
		});
		if (r.status !== 200)
			throw new Error(
				`${route} ${methodName} failed: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`,
			);
		return r.body.data;
	}

	/** Stops the server and removes the user folder (unless keep). */
	async dispose({ keep = false } = {}) {
		await this.stopServer();
		if (!keep) fs.rmSync(this.userFolder, { recursive: true, force: true });
	}
}

function tail(file, lines = 30) {
	try {
		return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

/** Shorthand for a one-off command: n8nCli(instance, args, env). */
function n8nCli(instance, args, env) {
	return instance.cli(args, { env });
}

module.exports = { N8nInstance, n8nCli, parseExecuteOutput, baseEnv, tail };
