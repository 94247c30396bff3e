'use strict';
/**
 * The token never appears in anything the transport throws: each error is serialised every way
 * n8n, a log or a user could render it (JSON of the error and of toJSON(), String(), message,
 * description, context, cause, util.inspect with hidden fields) and searched for the token.
 * Scenarios include the platform echoing the token and n8n's helper throwing errors that carry the
 * request options with the Authorization header.
 */
const { AxiosError } = require('axios');
const { NodeApiError } = require('n8n-workflow');

const { graphqlRequest, mutate, paginate } = require('../../nodes/DemarcheNumerique/transport');
const {
	BASE_URL,
	TOKEN,
	caught,
	expectNoToken,
	fakeContext,
	gqlErrors,
	n8nNetworkError,
	node,
	reply,
	serialiseError,
	virtualClock,
} = require('../helpers/transport-fakes');

const document = {
	query: 'query q { demarche(number: 1) { id } }',
	operationName: 'q',
	variables: {},
};
const settings = { maxRetries: 1, backoffBaseMs: 10, backoffMaxMs: 10, maxThrottleWaitMs: 1_000 };
const bearer = `Bearer ${TOKEN}`;
const requestOptions = {
	url: `${BASE_URL}/api/v2/graphql`,
	method: 'POST',
	headers: { Authorization: bearer, 'Content-Type': 'application/json' },
	data: JSON.stringify({ query: document.query }),
};

/** An error as n8n's legacy request helper throws it: axios' error with `options` picked from the config. */
function errorWithRequestOptions(code) {
	const error = new AxiosError(`connect ${code}`, code, requestOptions);
	return Object.assign(error, { options: requestOptions, config: requestOptions });
}

/** The same, already wrapped by n8n (NodeApiError keeps an object errorResponse as is). */
function nodeApiErrorWithOptions() {
	return new NodeApiError(node, {
		message: `request failed with ${bearer}`,
		options: requestOptions,
		code: 'EPROTO',
	});
}

beforeEach(() => virtualClock());
afterEach(() => jest.restoreAllMocks());

it('the detector itself finds the token in the errors these scenarios throw at the transport', () => {
	expect(serialiseError(n8nNetworkError('ECONNREFUSED', 'connect', { keepCause: true }))).toContain(
		TOKEN,
	);
	// Proves the serialiser looks deep enough: the raw errors below DO carry the token.
	expect(serialiseError(errorWithRequestOptions('ECONNREFUSED'))).toContain(TOKEN);
	expect(serialiseError(nodeApiErrorWithOptions())).toContain(TOKEN);
	expect(() => expectNoToken(errorWithRequestOptions('ECONNREFUSED'))).toThrow();
});

const throttledForever = reply(429, `Calm down, cowboy! (${bearer})`, {
	'ratelimit-reset': String(Math.floor(Date.UTC(2030, 0, 1) / 1000)),
});

const scenarios = [
	[
		'401 whose message echoes the token',
		[
			reply(
				401,
				gqlErrors([{ message: `Token expired: ${TOKEN}`, extensions: { code: 'unauthorized' } }]),
			),
		],
	],
	['403 plain text echoing the Authorization header', [reply(403, `Forbidden for ${bearer}`)]],
	[
		'403 forbidden network',
		[
			reply(
				403,
				gqlErrors([
					{
						message:
							'Request issued from a forbidden network. Add 198.51.100.4/32 to your allowed adresses in your /profil',
					},
				]),
			),
		],
	],
	[
		'root error quoting the token',
		[reply(200, gqlErrors([{ message: `Variable $token of value "${TOKEN}" is invalid` }]))],
	],
	[
		'400 parse error quoting the token',
		[
			reply(
				400,
				gqlErrors([{ message: `unexpected token ${TOKEN}`, extensions: { code: 'bad_request' } }]),
			),
		],
	],
	[
		'500 twice with the token in the message',
		Array(2).fill(
			reply(
				500,
				gqlErrors([
					{
						message: `boom ${bearer}`,
						extensions: { code: 'internal_server_error', exception_id: 'x1' },
					},
				]),
			),
		),
	],
	['502 HTML twice', Array(2).fill(reply(502, `<html>${bearer}</html>`))],
	[
		'timeout twice',
		Array(2).fill(
			reply(
				200,
				gqlErrors([{ message: `Timeout (${TOKEN})`, extensions: { code: 'timeout' } }], null),
			),
		),
	],
	['429 beyond the bound', [throttledForever]],
	['non-JSON 200 echoing the token', [reply(200, `<html>${TOKEN}</html>`)]],
	[
		'n8n helper: axios error with request options (ECONNREFUSED)',
		[errorWithRequestOptions('ECONNREFUSED')],
	],
	[
		'n8n helper: axios error with request options (ECONNRESET twice)',
		[errorWithRequestOptions('ECONNRESET'), errorWithRequestOptions('ECONNRESET')],
	],
	[
		'n8n helper: NodeApiError around axios (ECONNRESET twice)',
		[
			n8nNetworkError('ECONNRESET', `socket hang up ${bearer}`),
			n8nNetworkError('ECONNRESET', 'socket hang up'),
		],
	],
	[
		'n8n 2.x helper: NodeApiError whose cause is the axios error (ECONNREFUSED)',
		[n8nNetworkError('ECONNREFUSED', 'connect ECONNREFUSED', { keepCause: true })],
	],
	[
		'n8n 2.x helper: NodeApiError whose cause is the axios error (ECONNRESET twice)',
		[
			n8nNetworkError('ECONNRESET', 'socket hang up', { keepCause: true }),
			n8nNetworkError('ECONNRESET', 'socket hang up', { keepCause: true }),
		],
	],
	['n8n helper: NodeApiError carrying request options, unknown code', [nodeApiErrorWithOptions()]],
	[
		'plain Error whose message carries the header',
		[new Error(`request to ${BASE_URL} with headers {"Authorization":"${bearer}"} failed`)],
	],
];

describe.each(scenarios)('graphqlRequest: %s', (_label, script) => {
	it('throws a NodeApiError without the token', async () => {
		const fake = fakeContext(script);
		const error = await caught(graphqlRequest.call(fake.ctx, document, { intent: 'read', ...settings }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(fake.remaining()).toBe(0);
	});
});

it('mutate: business errors echoing the token', async () => {
	const fake = fakeContext([
		reply(200, {
			data: {
				m: { errors: [{ message: `Le jeton ${TOKEN} est configuré seulement en lecture` }] },
			},
		}),
	]);
	const error = await caught(mutate.call(fake.ctx, { ...document, mutationField: 'm' }, settings));
	expect(error.description).toMatch(/write access/);
});

it('mutate: a short token is still scrubbed from business errors', async () => {
	const short = 'abcd1234';
	const fake = fakeContext(
		[reply(200, { data: { m: { errors: [{ message: `jeton ${short} inconnu` }] } } })],
		{ token: short },
	);
	await caught(mutate.call(fake.ctx, { ...document, mutationField: 'm' }, settings), short);
});

it('paginate: an unusable page with errors echoing the token', async () => {
	const fake = fakeContext([
		reply(
			200,
			gqlErrors(
				[
					{
						message: `hidden due to permissions ${TOKEN}`,
						path: ['demarche'],
						extensions: { code: 'unauthorized' },
					},
				],
				{ demarche: null },
			),
		),
	]);
	const pages = paginate.call(fake.ctx, {
		document,
		connection: (data) => data.demarche && data.demarche.dossiers,
		nodesPath: ['demarche', 'dossiers', 'nodes'],
	});
	await caught(pages.next());
});
