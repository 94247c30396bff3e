'use strict';
/**
 * A fake IExecuteFunctions for the write operations' unit tests: GraphQL requests are answered by
 * handlers keyed by operationName (and recorded), plain `httpRequest` calls (storage PUT, prefill
 * REST) by a separate handler; parameters come from a plain object per item.
 */
const { get } = require('lodash');

const TOKEN = 'tok_WRITE-SECRET-4b1d9e';
const BASE_URL = 'https://dn.example.fr';

const node = {
	id: 'node-w',
	name: 'Démarche Numérique',
	type: 'n8n-nodes-demarche-numerique.demarcheNumerique',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');

/**
 * @param {object} options
 * @param {Record<string, (variables, request) => object>} options.graphql handlers returning `{data}` bodies
 * @param {(options) => object} [options.http] plain httpRequest handler returning a full response
 * @param {object[]} options.items parameters per item (resource locators as {mode, value})
 * @param {object[]} [options.binaries] per item: { [property]: {data: Buffer, fileName, mimeType} }
 */
function writeContext({ graphql = {}, http, items, binaries = [], baseUrl = BASE_URL, token = TOKEN }) {
	const requests = [];
	const httpRequests = [];
	const ctx = {
		getNode: () => node,
		getCredentials: async () => ({ baseUrl, token }),
		getInputData: () => items.map(() => ({ json: {} })),
		// n8n gives the workflow's time zone (settings, else the instance's).
		getTimezone: () => 'Europe/Paris',
		continueOnFail: () => false,
		getNodeParameter(name, itemIndex, fallback, options) {
			const value = get(items[itemIndex], name);
			if (value === undefined) {
				if (fallback !== undefined) return fallback;
				throw new Error(`Could not get parameter "${name}"`);
			}
			if (options && options.extractValue && value && typeof value === 'object' && 'mode' in value) {
				const pattern = name === 'demarche' ? /\/procedures\/(\d+)/ : /\/dossiers\/(\d+)/;
				const match = value.mode === 'url' ? pattern.exec(value.value) : null;
				return match ? match[1] : value.value;
			}
			return value;
		},
		helpers: {
			async httpRequestWithAuthentication(credentialType, options) {
				const body = typeof options.body === 'string' ? JSON.parse(options.body) : options.body;
				requests.push({ credentialType, url: options.url, operationName: body.operationName, variables: body.variables, query: body.query });
				const handler = graphql[body.operationName];
				if (!handler) throw new Error(`unexpected GraphQL operation ${body.operationName}`);
				const result = await handler(body.variables, requests[requests.length - 1]);
				return { statusCode: 200, headers: {}, body: result };
			},
			async httpRequest(options) {
				httpRequests.push(options);
				if (!http) throw new Error(`unexpected plain request to ${options.url}`);
				return await http(options);
			},
			assertBinaryData(itemIndex, property) {
				const binary = binaries[itemIndex] && binaries[itemIndex][property];
				if (!binary) throw new Error(`No binary property "${property}"`);
				return { fileName: binary.fileName, mimeType: binary.mimeType, data: '' };
			},
			async getBinaryDataBuffer(itemIndex, property) {
				return binaries[itemIndex][property].data;
			},
			constructExecutionMetaData(records, { itemData }) {
				return records.map((record) => ({ ...record, pairedItem: itemData }));
			},
		},
	};
	return { ctx, requests, httpRequests };
}

/** Runs one operation module over every item of the context, like the router, sharing one cache. */
async function runOperation(module, ctx, cache) {
	const { ExecutionCache } = require('../../nodes/DemarcheNumerique/resolve/cache');
	const shared = cache || new ExecutionCache();
	const output = [];
	for (let i = 0; i < ctx.getInputData().length; i++) {
		output.push(...(await module.execute.call(ctx, i, shared)));
	}
	return output.map((item) => item.json);
}

/** The context DOSSIER_CONTEXT returns for a dossier of démarche 1001 in groupe 501. */
function dossierContext(number, { instructeurs = [{ id: 'SW5zdHJ1Y3RldXItMQ==', email: 'agent@example.gouv.fr' }], state = 'en_instruction' } = {}) {
	return {
		data: {
			dossier: {
				id: b64(`Dossier-${number}`),
				number,
				state,
				demarche: { number: 1001 },
				groupeInstructeur: { id: b64('GroupeInstructeur-501'), number: 501, label: 'Nord', instructeurs },
				instructeurs: [],
			},
		},
	};
}

module.exports = { BASE_URL, TOKEN, b64, dossierContext, node, runOperation, writeContext };
