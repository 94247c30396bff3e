'use strict';
/**
 * Test-only nodes that prove the engine harness itself (test/engine/harness.test.js): each uses
 * the package's real credential and the n8n helpers our nodes rely on, nothing else.
 */
const { NodeApiError, NodeConnectionTypes } = require('n8n-workflow');

const { TEST_PACKAGE } = require('./engine-start-node');

const CREDENTIAL = 'demarcheNumeriqueApi';

async function apiRequest(method, path, body) {
	const { baseUrl } = await this.getCredentials(CREDENTIAL);
	return await this.helpers.httpRequestWithAuthentication.call(this, CREDENTIAL, {
		method,
		url: `${baseUrl}${path}`,
		body,
		json: true,
	});
}

/** GETs `path` with the credential; optionally reverses an input file into a new binary. */
class EngineAuthGet {
	constructor() {
		this.description = {
			displayName: 'Engine Test Authenticated GET',
			name: 'authGet',
			group: ['transform'],
			version: 1,
			description: 'GET through httpRequestWithAuthentication',
			defaults: { name: 'Auth GET' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: CREDENTIAL, required: true }],
			properties: [
				{ displayName: 'Path', name: 'path', type: 'string', default: '/ok' },
				{ displayName: 'Input Binary Property', name: 'inputBinary', type: 'string', default: '' },
			],
		};
	}

	async execute() {
		const output = [];
		const items = this.getInputData();
		for (let i = 0; i < items.length; i++) {
			try {
				const response = await apiRequest.call(this, 'GET', this.getNodeParameter('path', i));
				const item = { json: { ...response, input: items[i].json } };
				const inputBinary = this.getNodeParameter('inputBinary', i);
				if (inputBinary) {
					const metadata = this.helpers.assertBinaryData(i, inputBinary);
					const content = await this.helpers.getBinaryDataBuffer(i, inputBinary);
					item.binary = {
						reversed: await this.helpers.prepareBinaryData(
							Buffer.from(content).reverse(),
							`reversed-${metadata.fileName}`,
							metadata.mimeType,
						),
					};
				}
				output.push(...this.helpers.constructExecutionMetaData([item], { itemData: { item: i } }));
			} catch (error) {
				if (this.continueOnFail()) {
					output.push({
						json: { error: error.message, httpCode: error.httpCode },
						pairedItem: { item: i },
					});
					continue;
				}
				throw new NodeApiError(this.getNode(), error, { itemIndex: i });
			}
		}
		return [output];
	}
}

/** Polls `/events?after=<last seen>`, remembering the last seen ID in node static data. */
class EngineCounterPoll {
	constructor() {
		this.description = {
			displayName: 'Engine Test Poll',
			name: 'counterPoll',
			group: ['trigger'],
			version: 1,
			description: 'Polls a local events endpoint',
			defaults: { name: 'Counter Poll' },
			polling: true,
			inputs: [],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: CREDENTIAL, required: true }],
			properties: [
				{
					displayName: 'Count Empty Polls',
					name: 'countEmptyPolls',
					type: 'boolean',
					default: false,
				},
			],
		};
	}

	async poll() {
		const state = this.getWorkflowStaticData('node');
		const { events } = await apiRequest.call(this, 'GET', `/events?after=${state.lastId ?? 0}`);
		if (events.length === 0) {
			// A state change with nothing emitted: n8n keeps it in memory but does not save it.
			if (this.getNodeParameter('countEmptyPolls')) state.emptyPolls = (state.emptyPolls ?? 0) + 1;
			return null;
		}
		// Updated in every mode on purpose: the harness must show that n8n does not save it in manual.
		state.lastId = Math.max(...events.map((event) => event.id));
		return [this.helpers.returnJsonArray(events)];
	}
}

/** Registers itself at the local server and counts the deliveries it receives. */
class EngineHookTrigger {
	constructor() {
		this.description = {
			displayName: 'Engine Test Webhook',
			name: 'hookTrigger',
			group: ['trigger'],
			version: 1,
			description: 'Receives deliveries',
			defaults: { name: 'Hook Trigger' },
			inputs: [],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: CREDENTIAL, required: true }],
			webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'hook' }],
			properties: [],
		};
		this.webhookMethods = {
			default: {
				async checkExists() {
					return this.getWorkflowStaticData('node').subscriptionId !== undefined;
				},
				async create() {
					const url = this.getNodeWebhookUrl('default');
					const { id } = await apiRequest.call(this, 'POST', '/subscriptions', { url });
					this.getWorkflowStaticData('node').subscriptionId = id;
					return true;
				},
				async delete() {
					const state = this.getWorkflowStaticData('node');
					await apiRequest.call(this, 'DELETE', `/subscriptions/${state.subscriptionId}`);
					delete state.subscriptionId;
					return true;
				},
			},
		};
	}

	async webhook() {
		if (this.getHeaderData()['x-reject'] === 'yes') {
			this.getResponseObject().status(401).send('rejected');
			return { noWebhookResponse: true };
		}
		const state = this.getWorkflowStaticData('node');
		state.deliveries = (state.deliveries ?? 0) + 1;
		const { rawBody } = this.getRequestObject();
		return {
			workflowData: [
				[
					{
						json: {
							body: this.getBodyData(),
							rawLength: rawBody.length,
							query: this.getQueryData(),
						},
					},
				],
			],
		};
	}
}

/**
 * A credential that logs in before its requests (preAuthentication): its hidden, expirable
 * `sessionToken` is fetched from `<baseUrl><sessionPath>` when empty, then sent as a header.
 * `sessionPath` has a default, so a test that leaves it out also proves defaults are applied.
 */
class EngineSessionApi {
	constructor() {
		this.name = 'engineSessionApi';
		this.displayName = 'Engine Test Session API';
		this.properties = [
			{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
			{ displayName: 'Password', name: 'password', type: 'string', default: '' },
			{ displayName: 'Session Path', name: 'sessionPath', type: 'string', default: '/session' },
			{
				displayName: 'Session Token',
				name: 'sessionToken',
				type: 'hidden',
				typeOptions: { expirable: true },
				default: '',
			},
		];
		this.authenticate = {
			type: 'generic',
			properties: { headers: { 'X-Session': '={{$credentials.sessionToken}}' } },
		};
	}

	async preAuthentication(credentials) {
		const { token } = await this.helpers.httpRequest({
			method: 'POST',
			url: `${credentials.baseUrl}${credentials.sessionPath}`,
			body: { password: credentials.password },
			json: true,
		});
		return { sessionToken: token };
	}
}

/** GETs /ok with the session credential. */
class EngineSessionGet {
	constructor() {
		this.description = {
			displayName: 'Engine Test Session GET',
			name: 'sessionGet',
			group: ['transform'],
			version: 1,
			description: 'GET with a pre-authenticated credential',
			defaults: { name: 'Session GET' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: 'engineSessionApi', required: true }],
			properties: [],
		};
	}

	async execute() {
		const { baseUrl } = await this.getCredentials('engineSessionApi');
		const response = await this.helpers.httpRequestWithAuthentication.call(
			this,
			'engineSessionApi',
			{
				method: 'GET',
				url: `${baseUrl}/ok`,
				json: true,
			},
		);
		return [[{ json: response, pairedItem: { item: 0 } }]];
	}
}

const TEST_NODE_TYPES = Object.freeze({
	sessionGet: `${TEST_PACKAGE}.sessionGet`,
	authGet: `${TEST_PACKAGE}.authGet`,
	counterPoll: `${TEST_PACKAGE}.counterPoll`,
	hookTrigger: `${TEST_PACKAGE}.hookTrigger`,
});

module.exports = {
	EngineAuthGet,
	EngineCounterPoll,
	EngineHookTrigger,
	EngineSessionApi,
	EngineSessionGet,
	TEST_NODE_TYPES,
};
