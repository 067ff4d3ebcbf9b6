import { Hono } from 'hono';
import { ValidationError } from '../../domain/errors.js';
import type { RuleWithAccounts } from '../../db/repos/index.js';
import type { AppDeps, AppEnv } from '../context.js';
import { ruleDto } from './dto.js';
import { readJson } from './helpers.js';

type Rules = AppDeps['services']['rules'];

/** A rule as the API shows it, with the labels it puts on what it writes. */
function ruleWithLabels(rules: Rules, r: RuleWithAccounts) {
  return { ...ruleDto(r), labels: rules.labelsOf(r.id) };
}

/** Mounted twice: `/clients/:clientId/rules` (create, list) and `/rules/:id` (the rest). */
export function clientRulesApi(deps: AppDeps) {
  const { rules } = deps.services;
  return new Hono<AppEnv>()
    .post('/:clientId/rules', async (c) =>
      c.json(ruleWithLabels(rules, rules.create(c.req.param('clientId'), await readJson(c), c.var.actor)), 201),
    )
    .get('/:clientId/rules', (c) =>
      c.json({
        data: rules.listByClient(c.req.param('clientId')).map((r) => ruleWithLabels(rules, r)),
        nextCursor: null,
      }),
    );
}

export function rulesApi(deps: AppDeps) {
  const { rules } = deps.services;
  return new Hono<AppEnv>()
    .get('/:id', (c) => c.json(ruleWithLabels(rules, rules.get(c.req.param('id')))))
    .patch('/:id', async (c) =>
      c.json(ruleWithLabels(rules, rules.update(c.req.param('id'), await readJson(c), c.var.actor))),
    )
    .delete('/:id', (c) => {
      rules.delete(c.req.param('id'), c.var.actor);
      return c.body(null, 204);
    })
    .get('/:id/slots', (c) => {
      const raw = c.req.query('count') ?? '10';
      const count = /^\d+$/.test(raw) ? Number(raw) : NaN;
      if (Number.isNaN(count)) throw ValidationError.field('count', 'must be a whole number');
      return c.json({ data: rules.slots(c.req.param('id'), count).map((d) => d.toISOString()) });
    });
}
