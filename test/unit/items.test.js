'use strict';
/** Simplified output items: descriptors are fetched only for champs of unknown types, once per démarche. */
const { dossierItems } = require('../../nodes/DemarcheNumerique/output/items');
const { ExecutionCache } = require('../../nodes/DemarcheNumerique/resolve/cache');

const descriptorsResponse = {
	data: {
		demarche: {
			id: 'd',
			number: 7,
			activeRevision: {
				id: 'rev',
				champDescriptors: [{ __typename: 'IntegerNumberChampDescriptor', id: 'desc-effectif', label: 'Effectif' }],
				annotationDescriptors: [],
			},
		},
	},
};

function fakeContext(answer) {
	const sent = [];
	return {
		sent,
		getNode: () => ({ name: 'DN', type: 'x', typeVersion: 1, parameters: {} }),
		getCredentials: async () => ({ baseUrl: 'https://dn.example', token: 'tok-123456' }),
		helpers: {
			httpRequestWithAuthentication: async (_type, options) => {
				sent.push(options.body.operationName);
				return answer();
			},
		},
	};
}

const dossier = (number, champs) => ({ number, demarche: { number: 7, title: 'T' }, champs });
const forkChamp = { __typename: 'EffectifPolynesieChamp', id: 'c', champDescriptorId: 'desc-effectif', label: 'Effectif', stringValue: '42' };
const textChamp = { __typename: 'TextChamp', id: 't', champDescriptorId: 'desc-nom', label: 'Nom', stringValue: 'A', value: 'A' };

describe('dossierItems', () => {
	it('sends no request when every champ type is known', async () => {
		const ctx = fakeContext(() => {
			throw new Error('no request expected');
		});
		const items = await dossierItems(ctx, new ExecutionCache(), [dossier(1, [textChamp])], true);
		expect(items.map((i) => i.json.champs)).toEqual([{ Nom: 'A' }]);
		expect(ctx.sent).toEqual([]);
	});

	it('types a fork champ from the descriptors, fetched once for all dossiers of the démarche', async () => {
		const ctx = fakeContext(() => ({ statusCode: 200, headers: {}, body: descriptorsResponse }));
		const items = await dossierItems(ctx, new ExecutionCache(), [dossier(1, [forkChamp]), dossier(2, [forkChamp])], true);
		expect(items.map((i) => i.json.champs)).toEqual([{ Effectif: 42 }, { Effectif: 42 }]);
		expect(ctx.sent).toEqual(['GetDemarcheDescriptors']);
	});

	it('falls back to stringValue, asking only once, when the form cannot be read', async () => {
		const hidden = { errors: [{ message: 'An object of type Demarche was hidden due to permissions', extensions: { code: 'unauthorized' } }], data: { demarche: null } };
		const ctx = fakeContext(() => ({ statusCode: 200, headers: {}, body: hidden }));
		const items = await dossierItems(ctx, new ExecutionCache(), [dossier(1, [forkChamp]), dossier(2, [forkChamp])], true);
		expect(items.map((i) => i.json.champs)).toEqual([{ Effectif: '42' }, { Effectif: '42' }]);
		expect(ctx.sent).toEqual(['GetDemarcheDescriptors']);
	});

	it('gives the API dossier untouched without simplify', async () => {
		const raw = dossier(1, [forkChamp]);
		const items = await dossierItems(fakeContext(() => ({})), new ExecutionCache(), [raw], false);
		expect(items).toEqual([{ json: raw }]);
	});
});
