'use strict';
/**
 * Engine harness: runs our nodes inside n8n's real execution engine (n8n-core's WorkflowExecute,
 * PollContext, WebhookContext, HookContext), in-process, with real HTTP through n8n-core's
 * httpRequest / httpRequestWithAuthentication and real binary-data storage.
 *
 *   const run = await runWorkflow({
 *     nodes: [{ type: NODE_TYPES.action, parameters: { resource: 'dossier', operation: 'get', … } }],
 *     credentials: { demarcheNumeriqueApi: { baseUrl: sandbox.url, token } },
 *   });
 *   run.error                             // undefined, or the failing node's error object, whole
 *   run.items('Démarche Numérique')       // INodeExecutionData[]: json, binary, pairedItem
 *   run.binary('Démarche Numérique', 0)   // Buffer of item 0's binary property `data`
 */
const { Container, ensureEngine } = require('./engine-setup');

const { readFileSync } = require('fs');

const {
	BinaryDataService,
	ExecutionLifecycleHooks,
	HookContext,
	LoadOptionsContext,
	PollContext,
	WebhookContext,
	WorkflowExecute,
} = require('n8n-core');
// Not re-exported by n8n-core's index: the service ActiveWorkflows runs every poll through.
const { TriggersAndPollers } = require('n8n-core/dist/execution-engine/triggers-and-pollers');
const {
	BINARY_ENCODING,
	deepCopy,
	NodeHelpers,
	toCronExpression,
	UnexpectedError,
	Workflow,
} = require('n8n-workflow');

const { EngineCredentialsHelper } = require('./engine-credentials');
const {
	EngineStart,
	parkInput,
	releaseInput,
	START_NODE_NAME,
	START_NODE_TYPE,
	TEST_PACKAGE,
} = require('./engine-start-node');
const {
	REPO_ROOT,
	loadCredentialType,
	loadNodeType,
	nodeTypes,
	packageName,
	registerCredentialType,
	registerNodeType,
} = require('./engine-types');

registerNodeType(START_NODE_TYPE, new EngineStart());

/** The workflow type names of the package's nodes, as a real n8n registers them. */
const NODE_TYPES = Object.freeze({
	action: `${packageName()}.demarcheNumerique`,
	trigger: `${packageName()}.demarcheNumeriqueTrigger`,
	webhookTrigger: `${packageName()}.demarcheNumeriqueWebhookTrigger`,
});

const CREDENTIAL_TYPE = 'demarcheNumeriqueApi';

const INSTANCE_URL = 'http://127.0.0.1:5678';
let sequence = 0;
const nextId = (prefix) => `${prefix}-${++sequence}`;

const toJson = (value) => JSON.parse(JSON.stringify(value ?? {}));
const jsonSize = (value) => Buffer.byteLength(JSON.stringify(value ?? {}), 'utf8');

/**
 * @typedef {object} NodeSpec What a test writes for a node; only `type` is required.
 * @property {string} type full type name, e.g. NODE_TYPES.action
 * @property {string} [name] default: the node type's default name ("Démarche Numérique"…)
 * @property {object} [parameters]
 * @property {number} [typeVersion] default: the latest version
 * @property {object} [credentials] default: a reference to each given credential the type declares
 * @property {boolean} [continueOnFail]
 * @property {'stopWorkflow'|'continueRegularOutput'|'continueErrorOutput'} [onError]
 * @property {boolean} [alwaysOutputData]
 * @property {boolean} [executeOnce]
 * @property {boolean} [disabled]
 * @property {string} [webhookId] webhook nodes only (default: generated)
 * @property {string} [id]
 */

function latestVersion(nodeType) {
	if ('nodeVersions' in nodeType) return nodeType.currentVersion;
	const { version } = nodeType.description;
	return Array.isArray(version) ? Math.max(...version) : version;
}

/** Turns a NodeSpec into the INode a saved workflow would hold. */
function toNode(spec, index, credentials) {
	const typeVersion = spec.typeVersion ?? latestVersion(loadNodeType(spec.type));
	const { description } = NodeHelpers.getVersionedNodeType(loadNodeType(spec.type), typeVersion);
	const node = {
		id: spec.id ?? nextId('node'),
		name: spec.name ?? description.defaults?.name ?? `Node ${index + 1}`,
		type: spec.type,
		typeVersion,
		position: [250 * (index + 1), 300],
		parameters: deepCopy(spec.parameters ?? {}),
	};
	const references =
		spec.credentials ??
		Object.fromEntries(
			(description.credentials ?? [])
				.filter(({ name }) => name in credentials)
				.map(({ name }) => [name, { id: `${name}-id`, name: `${name} (test)` }]),
		);
	if (Object.keys(references).length > 0) node.credentials = references;
	if (description.webhooks?.length) node.webhookId = spec.webhookId ?? nextId('webhook');
	for (const flag of ['continueOnFail', 'onError', 'alwaysOutputData', 'executeOnce', 'disabled']) {
		if (spec[flag] !== undefined) node[flag] = spec[flag];
	}
	return node;
}

function chain(names) {
	const connections = {};
	for (let i = 0; i + 1 < names.length; i++) {
		connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] };
	}
	return connections;
}

function newWorkflow(nodes, connections, staticData, active = false, settings = {}) {
	const names = nodes.map((node) => node.name);
	const duplicate = names.find((name, i) => names.indexOf(name) !== i);
	if (duplicate) throw new UnexpectedError(`Two nodes are named "${duplicate}"`);
	return new Workflow({
		id: nextId('workflow'),
		name: 'Engine harness workflow',
		nodes,
		connections,
		active,
		nodeTypes,
		// A saved workflow's static data comes from the database: JSON, never shared references.
		staticData: staticData === undefined ? undefined : toJson(staticData),
		settings: { executionOrder: 'v1', ...settings },
	});
}

function workflowBase(workflow) {
	return {
		id: workflow.id,
		name: workflow.name,
		active: workflow.active,
		isArchived: false,
		nodes: Object.values(workflow.nodes),
		connections: workflow.connectionsBySourceNode,
		settings: workflow.settings,
		createdAt: new Date(),
		updatedAt: new Date(),
	};
}

/** What n8n's WorkflowExecuteAdditionalData.getBase() provides, minus the database. */
function additionalDataFor(credentialsHelper, { executionId, webhookBaseUrl } = {}) {
	const unsupported = (what) => async () => {
		throw new UnexpectedError(`${what} is not supported by the engine harness`);
	};
	return {
		credentialsHelper,
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${INSTANCE_URL}/rest`,
		instanceBaseUrl: `${INSTANCE_URL}/`,
		formWaitingBaseUrl: `${INSTANCE_URL}/form-waiting`,
		webhookBaseUrl: webhookBaseUrl?.replace(/\/+$/, '') ?? `${INSTANCE_URL}/webhook`,
		webhookWaitingBaseUrl: `${INSTANCE_URL}/webhook-waiting`,
		webhookTestBaseUrl: `${INSTANCE_URL}/webhook-test`,
		variables: {},
		executeWorkflow: unsupported('Executing a sub-workflow'),
		getRunExecutionData: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: unsupported('A task runner'),
	};
}

/**
 * WorkflowExecute stores a failed node's error as a plain copy of its own fields (what n8n saves
 * and shows); this subclass also keeps the error object each node threw, prototype and all.
 */
class RecordingWorkflowExecute extends WorkflowExecute {
	constructor(...args) {
		super(...args);
		this.thrownErrors = new Map();
	}

	async runNode(workflow, executionData, ...rest) {
		try {
			return await super.runNode(workflow, executionData, ...rest);
		} catch (error) {
			this.thrownErrors.set(executionData.node.name, error);
			throw error;
		}
	}
}

/**
 * Runs a workflow from `startNode` to completion. An error thrown before any node runs (e.g.
 * WorkflowHasIssuesError for a missing required parameter) fails the execution, as in n8n's
 * WorkflowRunner, instead of rejecting.
 */
async function execute(additionalData, mode, workflow, startNode) {
	const workflowExecute = new RecordingWorkflowExecute(additionalData, mode);
	try {
		const run = await workflowExecute.run(workflow, startNode);
		return { run, thrownErrors: workflowExecute.thrownErrors };
	} catch (error) {
		const run = {
			data: {
				resultData: {
					runData: {},
					error: { ...error, message: error.message, stack: error.stack },
				},
			},
			finished: false,
			mode,
			status: 'error',
		};
		// WorkflowHasIssuesError names nothing: say which node parameters n8n objects to.
		const issues = workflowExecute.checkReadyForExecution(workflow, { startNode: startNode.name });
		return { run, thrownErrors: new Map(), startError: error, issues };
	}
}

/** Reads a binary property's content, wherever the binary-data mode stored it. */
function readBinary(binaryData) {
	if (binaryData.id) return readFileSync(Container.get(BinaryDataService).getPath(binaryData.id));
	return Buffer.from(binaryData.data, BINARY_ENCODING);
}

/** The `json` of each item, the usual shape for assertions (null/undefined → []). */
function jsonOf(items) {
	return (items ?? []).map((item) => item.json);
}

/** Items whose json carries an `error` (continueOnFail). */
function errorItems(items) {
	return (items ?? []).filter((item) => item.json.error !== undefined);
}

// ---------------------------------------------------------------------------------------------
// runWorkflow

/**
 * Runs a workflow through WorkflowExecute: a start node emitting `input`, then `nodes`, chained
 * in order unless `connections` (by node name; the start node is START_NODE_NAME) is given.
 *
 * @param {object} options
 * @param {NodeSpec[]} options.nodes
 * @param {object} [options.connections]
 * @param {Record<string, object>} [options.credentials] data per credential type name
 * @param {Array<{json?: object, binary?: Record<string, {data: Buffer|string, fileName?: string, mimeType?: string}>}>} [options.input]
 *   items the start node emits (default: one empty item)
 * @param {string} [options.mode] execution mode nodes see through getMode() (default `manual`)
 * @param {object} [options.staticData] workflow static data as loaded from the database
 * @param {object} [options.settings] workflow settings (e.g. `{ timezone: 'Europe/Paris' }`)
 */
async function runWorkflow(options) {
	await ensureEngine();
	const credentials = options.credentials ?? {};
	const mode = options.mode ?? 'manual';
	const inputKey = parkInput(options.input ?? [{ json: {} }]);
	try {
		const start = {
			id: nextId('node'),
			name: START_NODE_NAME,
			type: START_NODE_TYPE,
			typeVersion: 1,
			position: [0, 300],
			parameters: { inputKey },
		};
		const nodes = [start, ...options.nodes.map((spec, i) => toNode(spec, i, credentials))];
		const connections = options.connections ?? chain(nodes.map((node) => node.name));
		const workflow = newWorkflow(nodes, connections, options.staticData, false, options.settings);

		const credentialsHelper = new EngineCredentialsHelper(credentials);
		const executionId = nextId('execution');
		const additionalData = additionalDataFor(credentialsHelper, { executionId });
		const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowBase(workflow));
		const executedNodes = [];
		let newStaticData = null;
		hooks.addHandler('nodeExecuteAfter', (nodeName) => {
			executedNodes.push(nodeName);
		});
		hooks.addHandler('workflowExecuteAfter', (_run, staticData) => {
			// n8n's save hook skips manual executions.
			if (staticData && mode !== 'manual') newStaticData = toJson(staticData);
		});
		additionalData.hooks = hooks;

		const outcome = await execute(additionalData, mode, workflow, start);
		return workflowRun(outcome, workflow, executedNodes, newStaticData, credentialsHelper.store);
	} finally {
		releaseInput(inputKey);
	}
}

/**
 * Calls a node's resource mapper method as n8n's editor does (DynamicNodeParametersService:
 * a temporary workflow holding the node with its current parameters, a LoadOptionsContext), and
 * returns its `{ fields }`.
 * @param {{ node: NodeSpec, method: string, credentials?: object, path?: string }} options
 */
async function loadResourceMapperFields(options) {
	await ensureEngine();
	const credentials = options.credentials ?? {};
	const node = toNode({ name: 'Temp-Node', ...options.node }, 0, credentials);
	const workflow = newWorkflow([node], {});
	const additionalData = additionalDataFor(new EngineCredentialsHelper(credentials));
	const nodeType = NodeHelpers.getVersionedNodeType(loadNodeType(node.type), node.typeVersion);
	const method = nodeType.methods?.resourceMapping?.[options.method];
	if (typeof method !== 'function') throw new UnexpectedError(`No resource mapper method "${options.method}"`);
	const context = new LoadOptionsContext(workflow, node, additionalData, options.path ?? 'parameters.columns');
	return await method.call(context);
}

/**
 * @typedef {object} WorkflowRun
 * @property {(nodeName: string, outputIndex?: number, runIndex?: number) => object[]} items
 *   a node's output items (output 0, run 0 by default); throws if the node did not run
 * @property {(nodeName: string, itemIndex: number, property?: string, outputIndex?: number) => Buffer} binary
 * @property {Error|undefined} error the error object that stopped the run, as thrown (a
 *   NodeApiError instance…), or the error that kept the workflow from starting
 *   (WorkflowHasIssuesError)
 * @property {object|undefined} executionError the same error as n8n stores it in the execution
 *   (resultData.error: a plain copy of its own fields)
 * @property {object|null} workflowIssues with WorkflowHasIssuesError: the issues per node name
 *   (e.g. `{ 'Démarche Numérique': { parameters: { motivation: ['Parameter "Motivation" is required.'] } } }`)
 * @property {string|undefined} failedNode the node whose error stopped the run
 * @property {object} runData resultData.runData
 * @property {object} executionData the whole IRun
 * @property {string[]} executedNodes node names in execution order
 * @property {object|null} newStaticData static data n8n would save (null: unchanged, or manual)
 * @property {Record<string, object>} credentials the credential store after the run
 * @property {Workflow} workflow
 */
function workflowRun(
	{ run, thrownErrors, startError, issues },
	workflow,
	executedNodes,
	newStaticData,
	credentials,
) {
	const { runData, error, lastNodeExecuted } = run.data.resultData;
	const failedNode = error && !startError ? lastNodeExecuted : undefined;
	const items = (nodeName, outputIndex = 0, runIndex = 0) => {
		const task = runData[nodeName]?.[runIndex];
		if (!task) {
			const ran = Object.keys(runData).join(', ');
			const cause = error ? `; run error: ${error.message}` : '';
			throw new UnexpectedError(`Node "${nodeName}" has no run ${runIndex} (ran: ${ran})${cause}`);
		}
		return task.data?.main?.[outputIndex] ?? [];
	};
	return {
		items,
		binary(nodeName, itemIndex, property = 'data', outputIndex = 0) {
			const binaryData = items(nodeName, outputIndex)[itemIndex]?.binary?.[property];
			if (!binaryData) {
				throw new UnexpectedError(`Item ${itemIndex} of "${nodeName}" has no binary "${property}"`);
			}
			return readBinary(binaryData);
		},
		error: startError ?? thrownErrors.get(failedNode) ?? error,
		executionError: error,
		workflowIssues: issues ?? null,
		failedNode,
		runData,
		executionData: run,
		executedNodes,
		newStaticData,
		credentials,
		workflow,
	};
}

// ---------------------------------------------------------------------------------------------
// Polling triggers

/**
 * @typedef {object} PollResult
 * @property {object[]|null} items the first output's items, or null when poll() returned null
 * @property {object} staticData static data as the database holds it after this poll: pass it on
 * @property {boolean} staticDataSaved whether n8n saved static data (only when items are emitted
 *   and the data changed)
 * @property {number} staticDataSize bytes of the saved static data's JSON
 * @property {object} liveStaticData the in-memory static data of the still-active workflow
 */

/**
 * An active workflow with one polling trigger. `poll()` runs one tick as n8n's ActiveWorkflows
 * does: the same Workflow object and PollContext for every tick, static data saved to the
 * "database" only when a tick emits items and the data changed. `restart()` reloads the
 * workflow from the database, as an n8n restart does, dropping unsaved in-memory changes.
 */
class ActivePoller {
	/**
	 * @param {object} options
	 * @param {NodeSpec} options.node
	 * @param {Record<string, object>} [options.credentials]
	 * @param {object} [options.staticData] as the database holds it
	 * @param {string} [options.activation] what getActivationMode() reports (default `activate`)
	 */
	constructor(options) {
		this.options = options;
		this.saved = toJson(options.staticData);
		this.credentialsHelper = new EngineCredentialsHelper(options.credentials ?? {});
		this.activate(options.activation ?? 'activate');
	}

	/** Static data as the database holds it. */
	get staticData() {
		return deepCopy(this.saved);
	}

	get liveStaticData() {
		return toJson(this.workflow.staticData);
	}

	get credentials() {
		return this.credentialsHelper.store;
	}

	restart() {
		this.activate('init');
	}

	activate(activation) {
		this.node = toNode(this.options.node, 0, this.options.credentials ?? {});
		this.workflow = newWorkflow([this.node], {}, this.saved, true, this.options.settings);
		this.context = new PollContext(
			this.workflow,
			this.node,
			// The CLI's poll additional data has no execution ID: no execution exists yet.
			additionalDataFor(this.credentialsHelper),
			'trigger',
			activation,
			(data) => this.emit(data),
			(error) => {
				throw error;
			},
		);
		// ActiveWorkflows.activatePolling reads Poll Times and refuses sub-minute crons.
		const pollTimes = this.context.getNodeParameter('pollTimes');
		for (const cron of (pollTimes.item ?? []).map(toCronExpression)) {
			if (cron.split(' ')[0].includes('*')) {
				throw new UnexpectedError(
					'The polling interval is too short. It has to be at least a minute.',
				);
			}
		}
	}

	/** The CLI's __emit: WorkflowStaticDataService.saveStaticData, then an execution starts. */
	emit(data) {
		this.emitted = data;
		if (this.workflow.staticData.__dataChanged === true) {
			this.saved = toJson(this.workflow.staticData);
			this.workflow.staticData.__dataChanged = false;
			this.savedThisTick = true;
		}
	}

	/** @returns {Promise<PollResult>} rejects with poll()'s error */
	async poll() {
		await ensureEngine();
		this.emitted = null;
		this.savedThisTick = false;
		const response = await Container.get(TriggersAndPollers).runPoll(
			this.workflow,
			this.node,
			this.context,
		);
		// Read what this very poll emitted (concurrent polls of one poller must not see each other's).
		let items = null;
		if (response !== null) {
			this.context.__emit(response);
			items = this.emitted?.[0] ?? null;
		}
		return {
			items,
			staticData: this.staticData,
			staticDataSaved: this.savedThisTick,
			staticDataSize: jsonSize(this.saved),
			liveStaticData: this.liveStaticData,
		};
	}
}

/**
 * Runs a polling trigger's poll() once.
 * `trigger` mode (default): the first tick of a freshly activated workflow whose static data is
 * `staticData` (as the database holds it). `manual` mode: the editor's "Fetch test event", a
 * manual execution through WorkflowExecute, after which n8n saves no static data.
 * A poll() that throws rejects with its error, as activation does.
 *
 * @param {object} options
 * @param {NodeSpec} options.node
 * @param {Record<string, object>} [options.credentials]
 * @param {object} [options.staticData]
 * @param {'trigger'|'manual'} [options.mode]
 * @param {string} [options.activation] trigger mode only (default `activate`)
 * @returns {Promise<PollResult>}
 */
async function runPoll(options) {
	await ensureEngine();
	if ((options.mode ?? 'trigger') === 'trigger') return await new ActivePoller(options).poll();

	const credentials = options.credentials ?? {};
	const node = toNode(options.node, 0, credentials);
	const workflow = newWorkflow([node], {}, options.staticData);
	const executionId = nextId('execution');
	const additionalData = additionalDataFor(new EngineCredentialsHelper(credentials), {
		executionId,
	});
	additionalData.hooks = new ExecutionLifecycleHooks('manual', executionId, workflowBase(workflow));
	const { run, thrownErrors, startError } = await execute(additionalData, 'manual', workflow, node);
	const { error, runData } = run.data.resultData;
	if (error) throw startError ?? thrownErrors.get(node.name) ?? error;
	const unchanged = toJson(options.staticData);
	return {
		items: runData[node.name]?.[0]?.data?.main?.[0] ?? null,
		staticData: unchanged,
		staticDataSaved: false,
		staticDataSize: jsonSize(unchanged),
		liveStaticData: toJson(workflow.staticData),
	};
}

// ---------------------------------------------------------------------------------------------
// Webhook triggers

function contentTypeOf(headers) {
	return (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** A minimal express-like request/response pair, as n8n's webhook server hands them to nodes. */
function fakeHttp(request) {
	const headers = Object.fromEntries(
		Object.entries(request.headers ?? {}).map(([key, value]) => [key.toLowerCase(), value]),
	);
	const contentType = contentTypeOf(headers);
	let { body, rawBody } = request;
	if (rawBody === undefined && body !== undefined) {
		if (Buffer.isBuffer(body) || typeof body === 'string') rawBody = body;
		else if (contentType === 'application/x-www-form-urlencoded') {
			rawBody = new URLSearchParams(body).toString();
		} else rawBody = JSON.stringify(body);
	}
	const raw = rawBody === undefined ? Buffer.alloc(0) : Buffer.from(rawBody);
	if (body === undefined) {
		// n8n's body parsers: JSON and forms are parsed, anything else leaves an empty body.
		const text = raw.toString('utf8');
		if (contentType === 'application/json' && text) body = JSON.parse(text);
		else if (contentType === 'application/x-www-form-urlencoded') {
			body = Object.fromEntries(new URLSearchParams(text));
		} else body = {};
	}
	const query = request.query ?? {};
	const search = new URLSearchParams(query).toString();
	const req = {
		method: (request.method ?? 'POST').toUpperCase(),
		headers,
		query,
		params: request.params ?? {},
		body,
		rawBody: raw,
		url: `/webhook${search ? `?${search}` : ''}`,
		ip: '127.0.0.1',
		get: (name) => headers[name.toLowerCase()],
		header: (name) => headers[name.toLowerCase()],
	};

	const response = { statusCode: 200, headers: {}, body: undefined, ended: false };
	const res = {
		status(code) {
			response.statusCode = code;
			return res;
		},
		setHeader(name, value) {
			response.headers[name.toLowerCase()] = String(value);
			return res;
		},
		set: (name, value) => res.setHeader(name, value),
		header: (name, value) => res.setHeader(name, value),
		send(payload) {
			response.body = payload;
			response.ended = true;
			return res;
		},
		json(payload) {
			res.setHeader('content-type', 'application/json');
			return res.send(payload);
		},
		end: (payload) => res.send(payload),
		get headersSent() {
			return response.ended;
		},
	};
	return { req, res, response };
}

/** The webhooks a node registers, resolved as n8n resolves them when activating a workflow. */
function webhooksOf(workflow, node, additionalData, mode) {
	const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const resolve = (value, fallback) =>
		workflow.expression.getSimpleParameterValue(node, value, mode, {}, undefined, fallback);
	return (nodeType.description.webhooks ?? []).map((description) => ({
		httpMethod: String(resolve(description.httpMethod, 'GET')),
		node: node.name,
		path: String(resolve(description.path)),
		webhookDescription: description,
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
		webhookId: node.webhookId,
	}));
}

/** WorkflowStaticDataService.saveStaticData: saves only when something changed. */
function saveIfChanged(workflow, previous) {
	const changed = workflow.staticData.__dataChanged === true;
	const staticData = changed ? toJson(workflow.staticData) : toJson(previous);
	return { staticData, staticDataSaved: changed, staticDataSize: jsonSize(staticData) };
}

/**
 * Delivers one HTTP request to a webhook trigger's webhook(), through n8n-core's WebhookContext.
 *
 * @param {object} options
 * @param {NodeSpec} options.node
 * @param {Record<string, object>} [options.credentials]
 * @param {object} [options.staticData]
 * @param {object} options.request `{method = 'POST', headers, query, body, rawBody, params}`;
 *   give `rawBody` (Buffer|string) or `body` (parsed): the other is derived for JSON and forms
 * @param {string} [options.webhookName] default `default`
 * @param {string} [options.webhookBaseUrl] what getNodeWebhookUrl() builds on (see runWebhookMethod)
 * @param {string} [options.mode] default `webhook`
 * @returns {Promise<{workflowData?: object[][], webhookResponse?: unknown, noWebhookResponse?: boolean,
 *   responseStatus: number, responseHeaders: object, responseBody?: unknown, error?: Error,
 *   staticData: object, staticDataSaved: boolean, staticDataSize: number}>}
 *   `error`: what webhook() threw (n8n then answers 500, starts nothing and saves no static data)
 */
async function runWebhook(options) {
	await ensureEngine();
	const mode = options.mode ?? 'webhook';
	const credentials = options.credentials ?? {};
	const node = toNode(options.node, 0, credentials);
	const workflow = newWorkflow([node], {}, options.staticData, true);
	const additionalData = additionalDataFor(new EngineCredentialsHelper(credentials), {
		executionId: nextId('execution'),
		webhookBaseUrl: options.webhookBaseUrl,
	});
	const { req, res, response } = fakeHttp(options.request ?? {});
	additionalData.httpRequest = req;
	additionalData.httpResponse = res;

	const webhookName = options.webhookName ?? 'default';
	const named = webhooksOf(workflow, node, additionalData, mode).filter(
		(webhook) => webhook.webhookDescription.name === webhookName,
	);
	const webhookData = named.find((webhook) => webhook.httpMethod === req.method) ?? named[0];
	if (!webhookData) throw new UnexpectedError(`Node has no webhook named "${webhookName}"`);
	const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	if (!nodeType.webhook) throw new UnexpectedError(`${node.type} has no webhook() method`);

	const context = new WebhookContext(workflow, node, additionalData, mode, webhookData, [], null);
	let result;
	let error;
	try {
		result = await nodeType.webhook.call(context);
	} catch (caught) {
		error = caught;
	}
	const previous = options.staticData ?? {};
	const persisted = error
		? { staticData: toJson(previous), staticDataSaved: false, staticDataSize: jsonSize(previous) }
		: saveIfChanged(workflow, previous);

	let responseStatus = Number(
		workflow.expression.getSimpleParameterValue(
			node,
			webhookData.webhookDescription.responseCode,
			mode,
			{},
			undefined,
			200,
		) ?? 200,
	);
	if (error) responseStatus = 500;
	else if (response.ended) responseStatus = response.statusCode;
	return {
		...result,
		responseStatus,
		responseHeaders: response.headers,
		responseBody: response.ended ? response.body : undefined,
		error,
		...persisted,
	};
}

/**
 * Runs one webhook lifecycle method through n8n-core's HookContext, then saves static data as
 * n8n does after (de)registering webhooks. Errors reject.
 *
 * @param {'checkExists'|'create'|'delete'} method
 * @param {object} options
 * @param {NodeSpec} options.node
 * @param {Record<string, object>} [options.credentials]
 * @param {object} [options.staticData]
 * @param {string} [options.webhookBaseUrl] n8n's webhook base (WEBHOOK_URL + `webhook`, default
 *   http://127.0.0.1:5678/webhook); getNodeWebhookUrl() builds `<base>/<webhookId>/<path>` on it
 * @param {string} [options.webhookName] default `default`
 * @param {string} [options.activation] default `activate`
 * @returns {Promise<{result: unknown, webhookUrl: string|undefined, staticData: object,
 *   staticDataSaved: boolean, staticDataSize: number, credentials: object}>}
 */
async function runWebhookMethod(method, options) {
	await ensureEngine();
	const mode = 'trigger';
	const credentials = options.credentials ?? {};
	const node = toNode(options.node, 0, credentials);
	const workflow = newWorkflow([node], {}, options.staticData, true);
	const credentialsHelper = new EngineCredentialsHelper(credentials);
	const additionalData = additionalDataFor(credentialsHelper, {
		webhookBaseUrl: options.webhookBaseUrl,
	});

	const webhookName = options.webhookName ?? 'default';
	const webhookData = webhooksOf(workflow, node, additionalData, mode).find(
		(webhook) => webhook.webhookDescription.name === webhookName,
	);
	if (!webhookData) throw new UnexpectedError(`Node has no webhook named "${webhookName}"`);
	const nodeType = workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const fn = nodeType.webhookMethods?.[webhookName]?.[method];
	if (!fn) throw new UnexpectedError(`${node.type} has no webhookMethods.${webhookName}.${method}`);

	const context = new HookContext(
		workflow,
		node,
		additionalData,
		mode,
		options.activation ?? 'activate',
		webhookData,
	);
	const result = await fn.call(context);
	return {
		result,
		webhookUrl: context.getNodeWebhookUrl(webhookName),
		...saveIfChanged(workflow, options.staticData ?? {}),
		credentials: credentialsHelper.store,
	};
}

module.exports = {
	ActivePoller,
	CREDENTIAL_TYPE,
	EngineCredentialsHelper,
	NODE_TYPES,
	REPO_ROOT,
	START_NODE_NAME,
	START_NODE_TYPE,
	TEST_PACKAGE,
	errorItems,
	jsonOf,
	loadCredentialType,
	loadNodeType,
	loadResourceMapperFields,
	readBinary,
	registerCredentialType,
	registerNodeType,
	runPoll,
	runWebhook,
	runWebhookMethod,
	runWorkflow,
};
