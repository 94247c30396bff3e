'use strict';
/**
 * GraphQL › Query: a document that runs a mutation is a change (never resent after a failure that
 * may hide its success), a read may be retried, and a mutation payload's `errors` are an error.
 */
const {
	execute,
	operationsOf,
	runsMutation,
} = require('../../nodes/DemarcheNumerique/actions/graphql/query.operation');
const { caught, fakeContext, reply, virtualClock } = require('../helpers/transport-fakes');

beforeEach(() => virtualClock());
afterEach(() => jest.restoreAllMocks());

function run(script, query, variables = '{}') {
	const fake = fakeContext(script);
	fake.ctx.getInputData = () => [{ json: {} }];
	fake.ctx.getNodeParameter = (name, _i, fallback) =>
		({ query, variables, requestOptions: { maxRetries: 2 } })[name] ?? fallback;
	return { fake, promise: execute.call(fake.ctx, 0) };
}

const ACCEPT = `mutation Accept($input: DossierAccepterInput!) {
  dossierAccepter(input: $input) { dossier { id state } errors { message } }
}`;
const READ = 'query Read { demarche(number: 1) { id } }';
const gateway = () => reply(502, '<html><center><h1>502 Bad Gateway</h1></center></html>', { 'content-type': 'text/html' });

describe('which operation the document runs', () => {
	it.each([
		['query Q { a }', [{ type: 'query', name: 'Q' }]],
		['{ a }', [{ type: 'query' }]],
		['mutation { a(input: {x: "query { }"}) { b } }', [{ type: 'mutation' }]],
		[
			'# mutation M { x }\nquery Q($v: In = {a: 1}) { mutation: dossier { id } } fragment F on Dossier { id } mutation M { x }',
			[
				{ type: 'query', name: 'Q' },
				{ type: 'mutation', name: 'M' },
			],
		],
		['"""mutation in a description""" query Q { a }', [{ type: 'query', name: 'Q' }]],
	])('%s', (query, operations) => {
		expect(operationsOf(query)).toEqual(operations);
	});

	it('the named operation decides; an unclear choice counts as a change', () => {
		const both = 'query Q { a } mutation M { b }';
		expect(runsMutation(both, 'Q')).toBe(false);
		expect(runsMutation(both, 'M')).toBe(true);
		expect(runsMutation(both, undefined)).toBe(true);
		expect(runsMutation('query Q { mutation }', 'Q')).toBe(false);
	});
});

describe('sending', () => {
	it('a mutation hit by a 502 is sent exactly once, and the error says it may have been applied', async () => {
		const { fake, promise } = run([gateway(), gateway(), reply(200, { data: {} })], ACCEPT);
		const error = await caught(promise);
		expect(fake.requests).toHaveLength(1);
		expect(error.message).toMatch(/502/);
		expect(error.description).toMatch(/may or may not have been applied/);
	});

	it('a read hit by a 502 is retried', async () => {
		const { fake, promise } = run([gateway(), reply(200, { data: { demarche: { id: 'x' } } })], READ);
		await expect(promise).resolves.toEqual([{ json: { demarche: { id: 'x' } } }]);
		expect(fake.requests).toHaveLength(2);
	});

	it("a mutation payload's errors are an error quoting the platform, with the English fix", async () => {
		const { promise } = run(
			[reply(200, { data: { dossierAccepter: { dossier: null, errors: [{ message: 'Le dossier est déjà accepté' }] } } })],
			ACCEPT,
		);
		const error = await caught(promise);
		expect(error.message).toBe('Démarche Numérique refused dossierAccepter: Le dossier est déjà accepté');
		expect(error.description).toMatch(/not in a state that allows this change/);
	});

	it('with several mutations, the error names those answered without errors (applied)', async () => {
		const query = 'mutation Two { a: dossierArchiver(input: {}) { errors { message } } b: dossierArchiver(input: {}) { errors { message } } }';
		const { promise } = run(
			[reply(200, { data: { a: { errors: null }, b: { errors: [{ message: 'Un dossier non archivé ne peut pas être désarchivé' }] } } })],
			query,
		);
		const error = await caught(promise);
		expect(error.message).toContain('refused b:');
		expect(error.description).toMatch(/applied\): a\./);
	});

	it('a query whose data has an `errors` field is data, not an error', async () => {
		const data = { demarche: { errors: [{ message: 'a field named errors' }] } };
		const { promise } = run([reply(200, { data })], READ);
		await expect(promise).resolves.toEqual([{ json: data }]);
	});
});
