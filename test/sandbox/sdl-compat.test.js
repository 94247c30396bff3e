'use strict';
/**
 * Proves the sandbox SDL is a faithful subset of the real platform schemas: every type, field,
 * argument (with its type) and enum value the sandbox declares exists identically in the 2026-03-31
 * schema or in the newer 13a480b5 one (which the sandbox follows for champ descriptors).
 * The `extensions/` folder (features not in the real schema, behind switches) is excluded.
 */
const fs = require('fs');
const path = require('path');
const {
	buildSchema,
	isEnumType,
	isInputObjectType,
	isInterfaceType,
	isObjectType,
	isScalarType,
	isUnionType,
} = require('graphql');
const { loadRealSchemas } = require('../helpers/schema');

const sandboxSchemaDir = path.resolve(__dirname, '../../sandbox/schema');

function loadSandboxSchema() {
	const files = fs.readdirSync(sandboxSchemaDir).filter((f) => f.endsWith('.graphql'));
	return buildSchema(
		files.map((f) => fs.readFileSync(path.join(sandboxSchemaDir, f), 'utf8')).join('\n'),
	);
}

function kindOf(type) {
	if (isObjectType(type)) return 'object';
	if (isInterfaceType(type)) return 'interface';
	if (isInputObjectType(type)) return 'input';
	if (isEnumType(type)) return 'enum';
	if (isUnionType(type)) return 'union';
	if (isScalarType(type)) return 'scalar';
	return 'unknown';
}

/** Every difference between the sandbox schema and the real one, as readable strings. */
function incompatibilities(sandbox, real) {
	const problems = [];
	for (const type of Object.values(sandbox.getTypeMap())) {
		if (type.name.startsWith('__')) continue;
		const realType = real.getType(type.name);
		if (!realType) {
			problems.push(`type ${type.name} does not exist`);
			continue;
		}
		if (kindOf(type) !== kindOf(realType)) {
			problems.push(`type ${type.name} is ${kindOf(type)} but ${kindOf(realType)} upstream`);
			continue;
		}
		if (isObjectType(type) || isInterfaceType(type)) {
			const realFields = realType.getFields();
			for (const field of Object.values(type.getFields())) {
				const realField = realFields[field.name];
				if (!realField) {
					problems.push(`field ${type.name}.${field.name} does not exist`);
					continue;
				}
				if (String(field.type) !== String(realField.type))
					problems.push(`field ${type.name}.${field.name}: ${field.type} vs ${realField.type}`);
				for (const arg of field.args) {
					const realArg = realField.args.find((a) => a.name === arg.name);
					if (!realArg)
						problems.push(`argument ${type.name}.${field.name}(${arg.name}) does not exist`);
					else if (String(arg.type) !== String(realArg.type))
						problems.push(
							`argument ${type.name}.${field.name}(${arg.name}): ${arg.type} vs ${realArg.type}`,
						);
				}
			}
			const realInterfaces = realType.getInterfaces().map((i) => i.name);
			for (const iface of type.getInterfaces()) {
				if (!realInterfaces.includes(iface.name))
					problems.push(`${type.name} does not implement ${iface.name}`);
			}
		}
		if (isInputObjectType(type)) {
			const realFields = realType.getFields();
			for (const field of Object.values(type.getFields())) {
				const realField = realFields[field.name];
				if (!realField) problems.push(`input field ${type.name}.${field.name} does not exist`);
				else if (String(field.type) !== String(realField.type))
					problems.push(
						`input field ${type.name}.${field.name}: ${field.type} vs ${realField.type}`,
					);
			}
		}
		if (isEnumType(type)) {
			const realValues = realType.getValues().map((v) => v.name);
			for (const value of type.getValues()) {
				if (!realValues.includes(value.name))
					problems.push(`enum value ${type.name}.${value.name} does not exist`);
			}
		}
		if (isUnionType(type)) {
			const realMembers = realType.getTypes().map((t) => t.name);
			for (const member of type.getTypes()) {
				if (!realMembers.includes(member.name))
					problems.push(`union member ${type.name}.${member.name} does not exist`);
			}
		}
	}
	return problems;
}

const schemas = loadRealSchemas();
const maybe = schemas.length === 2 ? describe : describe.skip;

/** What is wrong against every upstream schema: a declaration must match at least one of them. */
function againstBoth(sandbox) {
	const [older, newer] = schemas.map(([, schema]) => incompatibilities(sandbox, schema));
	return older.filter((problem) => newer.includes(problem));
}

maybe('sandbox SDL vs the real Démarche Numérique schemas (2026-03-31 and 13a480b5)', () => {
	const sandbox = loadSandboxSchema();
	const [[, real], [, newer]] = schemas;

	it('declares only types, fields, arguments and enum values that exist upstream with the same types', () => {
		expect(againstBoth(sandbox)).toEqual([]);
	});

	it('follows the newer schema for champ descriptors (the nodes read their __typename): removed types gone, added ones there', () => {
		const removed = ['CnafChampDescriptor', 'DgfipChampDescriptor', 'MesriChampDescriptor', 'PoleEmploiChampDescriptor'];
		const added = ['AAHChampDescriptor', 'AEEHChampDescriptor', 'ARSChampDescriptor', 'EtudiantBoursierChampDescriptor', 'PreRempliChampDescriptor'];
		for (const name of removed) {
			expect(real.getType(name)).toBeDefined();
			expect(newer.getType(name)).toBeUndefined();
			expect(sandbox.getType(name)).toBeUndefined();
		}
		for (const name of added) {
			expect(newer.getType(name)).toBeDefined();
			expect(sandbox.getType(name)).toBeDefined();
		}
		// Every descriptor type and TypeDeChamp value of the sandbox exists in the newer schema.
		const descriptors = (schema) => schema.getPossibleTypes(schema.getType('ChampDescriptor')).map((t) => t.name).sort();
		expect(descriptors(sandbox).filter((name) => !descriptors(newer).includes(name))).toEqual([]);
		const values = (schema) => schema.getType('TypeDeChamp').getValues().map((v) => v.name);
		expect(values(sandbox).filter((v) => !values(newer).includes(v))).toEqual([]);
		expect(incompatibilities(sandbox, newer).filter((p) => /ChampDescriptor|TypeDeChamp/.test(p))).toEqual([]);
	});

	it('covers the read surface and the 28 concrete Champ types', () => {
		const champTypes = sandbox.getPossibleTypes(sandbox.getType('Champ')).map((t) => t.name);
		expect(champTypes).toHaveLength(28);
		for (const root of ['demarche', 'dossier', 'groupeInstructeur', 'demarcheDescriptor']) {
			expect(sandbox.getQueryType().getFields()[root]).toBeDefined();
		}
	});

	it('detects an incompatibility (the checker itself works)', () => {
		const broken = buildSchema(
			'type Query { dossier(number: String!): Dossier! } type Dossier { number: Int! bogus: String }',
		);
		expect(againstBoth(broken)).toEqual([
			'argument Query.dossier(number): String! vs Int!',
			'field Dossier.bogus does not exist',
		]);
	});
});

maybe('sandbox SDL with schema/newer/ (what newer servers add for writes)', () => {
	it('the extensions of schema/newer/ exist in the newer schema with the same types, and the 03-31 schema lacks them', () => {
		const [[, older], [, newer]] = schemas;
		const dir = path.join(sandboxSchemaDir, 'newer');
		const sources = [sandboxSchemaDir, dir].flatMap((d) =>
			fs.readdirSync(d).filter((f) => f.endsWith('.graphql')).map((f) => fs.readFileSync(path.join(d, f), 'utf8')),
		);
		const withNewer = buildSchema(sources.join('\n'));
		const added = Object.keys(withNewer.getType('AnnotationValueInput').getFields()).filter(
			(f) => !loadSandboxSchema().getType('AnnotationValueInput').getFields()[f],
		);
		expect(added.sort()).toEqual(['civilite', 'departements', 'formatted', 'iban', 'pays', 'phone', 'pieceJustificative', 'regions']);
		expect(incompatibilities(withNewer, newer).filter((p) => /AnnotationValueInput/.test(p))).toEqual([]);
		for (const name of added) expect(older.getType('AnnotationValueInput').getFields()[name]).toBeUndefined();
	});
});
