'use strict';
// Checks read-dossiers.json against the sandbox's own facts (not against the node's code).

module.exports = async ({ assert, output, platform }) => {
	const facts = platform.facts;

	const got = output('Get dossier');
	assert.equal(got.length, 1, 'Get dossier: one item');
	const dossier = got[0];
	assert.equal(dossier.number, facts.everyChampDossier, 'Get dossier: the number asked for');
	assert.equal(dossier.demarche.number, facts.demarches.everyChamp, 'Get dossier: its démarche');
	assert.equal(typeof dossier.champs, 'object', 'Get dossier: champs keyed by label (simplified)');
	assert.ok(
		Object.keys(dossier.champs).length >= 20,
		`Get dossier: the every-champ dossier has many champs, got ${Object.keys(dossier.champs).length}`,
	);

	const list = output('List dossiers');
	assert.equal(list.length, 5, 'List dossiers: limit 5');
	assert.equal(
		new Set(list.map((d) => d.number)).size,
		5,
		'List dossiers: five different dossiers',
	);
	for (const d of list)
		assert.equal(
			d.demarche.number,
			facts.demarches.subvention,
			`List dossiers: dossier ${d.number} belongs to the démarche`,
		);

	const [query] = output('Custom query');
	assert.equal(query.demarche.number, facts.demarches.subvention, 'Custom query: data.demarche');
	assert.ok(query.demarche.title.length > 0, 'Custom query: a title');
};
