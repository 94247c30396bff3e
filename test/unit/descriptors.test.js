'use strict';
const {
	DescriptorLookupError,
	descriptorType,
	findDescriptor,
	getDescriptors,
	indexDescriptors,
} = require('../../nodes/DemarcheNumerique/resolve/descriptors');
const { ExecutionCache } = require('../../nodes/DemarcheNumerique/resolve/cache');

const gid = (n) => Buffer.from(`Champ-${n}`).toString('base64');
const annotations = [
	{ __typename: 'HeaderSectionChampDescriptor', id: gid(1), label: 'Suivi', level: 1 },
	{ __typename: 'TextChampDescriptor', id: gid(2), label: 'Commentaire' },
	{ __typename: 'TextareaChampDescriptor', id: gid(3), label: 'Commentaire' },
	{ __typename: 'DropDownListChampDescriptor', id: gid(4), label: 'Priorité', options: ['Haute', 'Basse'] },
	{
		__typename: 'RepetitionChampDescriptor',
		id: gid(5),
		label: 'Contrôles',
		champDescriptors: [{ __typename: 'DateChampDescriptor', id: gid(6), label: 'Date du contrôle' }],
	},
];

describe('findDescriptor', () => {
	it('finds by global ID, by stable number, by label, by suffixed key, ignoring case', () => {
		expect(findDescriptor(annotations, gid(4)).label).toBe('Priorité');
		expect(findDescriptor(annotations, '4').label).toBe('Priorité');
		expect(findDescriptor(annotations, 'Priorité').id).toBe(gid(4));
		expect(findDescriptor(annotations, '  priorité ').id).toBe(gid(4));
		expect(findDescriptor(annotations, 'Commentaire (2)').id).toBe(gid(3));
	});

	it('refuses a label shared by several fields and names the keys to use', () => {
		expect(() => findDescriptor(annotations, 'Commentaire')).toThrow(DescriptorLookupError);
		expect(() => findDescriptor(annotations, 'Commentaire')).toThrow(/"Commentaire" .* or "Commentaire \(2\)"/);
	});

	it('lists the existing fields when nothing matches', () => {
		try {
			findDescriptor(annotations, 'Montant');
			throw new Error('no error');
		} catch (error) {
			expect(error).toBeInstanceOf(DescriptorLookupError);
			expect(error.message).toMatch(/No field "Montant"/);
			expect(error.message).toMatch(/"Priorité"/);
			expect(error.candidates).toHaveLength(4);
		}
	});
});

describe('indexDescriptors and descriptorType', () => {
	it('indexes repetition children by ID', () => {
		const index = indexDescriptors(1001, { id: 'rev', champDescriptors: [], annotationDescriptors: annotations });
		expect(index.byId.get(gid(6)).label).toBe('Date du contrôle');
		expect(index.byId.size).toBe(6);
		expect(index.revisionId).toBe('rev');
	});

	it.each([
		['DropDownListChampDescriptor', 'drop_down_list'],
		['YesNoChampDescriptor', 'yes_no'],
		['RNAChampDescriptor', 'rna'],
		['IntegerNumberChampDescriptor', 'integer_number'],
		['COJOChampDescriptor', 'cojo'],
		// Newer servers (schema 13a480b5): the TypeDeChamp value of each new descriptor type.
		['AAHChampDescriptor', 'aah'],
		['AEEHChampDescriptor', 'aeeh'],
		['ARSChampDescriptor', 'ars'],
		['EtudiantBoursierChampDescriptor', 'etudiant_boursier'],
		['PreRempliChampDescriptor', 'pre_rempli'],
	])('%s → %s', (typename, type) => {
		expect(descriptorType({ __typename: typename })).toBe(type);
	});
});

describe('getDescriptors', () => {
	it('asks the platform once per démarche and execution, however many items ask', async () => {
		const bodies = [];
		const ctx = {
			getNode: () => ({ name: 'DN', type: 'x', typeVersion: 1, parameters: {} }),
			getCredentials: async () => ({ baseUrl: 'https://dn.example', token: 'tok-123456' }),
			helpers: {
				httpRequestWithAuthentication: async (_type, options) => {
					bodies.push(options.body);
					return {
						statusCode: 200,
						headers: {},
						body: { data: { demarche: { id: 'd', number: options.body.variables.number, activeRevision: { id: 'rev', champDescriptors: annotations, annotationDescriptors: [] } } } },
					};
				},
			},
		};
		const cache = new ExecutionCache();
		const [a, b] = await Promise.all([getDescriptors(ctx, cache, 1001), getDescriptors(ctx, cache, 1001)]);
		const c = await getDescriptors(ctx, cache, 1002);
		expect(bodies.map((body) => body.variables.number)).toEqual([1001, 1002]);
		expect(bodies[0].operationName).toBe('GetDemarcheDescriptors');
		expect(a).toBe(b);
		expect(c.demarcheNumber).toBe(1002);
		expect(a.champs.map((d) => d.label)).toEqual(['Suivi', 'Commentaire', 'Commentaire', 'Priorité', 'Contrôles']);
	});
});
