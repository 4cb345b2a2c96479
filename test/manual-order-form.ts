import { parse } from 'node-html-parser';
import { buildUser } from './builders.js';
import { loginAs, type makeApp } from './helpers.js';

// The new-order form (Orders → New order) posted as a browser posts it: the fields the page
// rendered, with what is typed and the button pressed in place of theirs.

type Ctx = ReturnType<typeof makeApp>;
type Pairs = [string, string][];

/** The form's fields as the page rendered them (what a browser would post back), plus what is typed. */
export function fieldsOf(html: string): Pairs {
  const form = parse(html).querySelector('form[action="/orders/new"]')!;
  const out: Pairs = [];
  for (const el of form.querySelectorAll('input, textarea, select')) {
    const name = el.getAttribute('name');
    if (!name) continue;
    if (el.tagName === 'TEXTAREA') out.push([name, el.text]);
    else if (el.tagName === 'SELECT') out.push([name, el.querySelector('option[selected]')?.getAttribute('value') ?? '']);
    else if (el.getAttribute('type') === 'checkbox') {
      if (el.hasAttribute('checked')) out.push([name, 'on']);
    } else out.push([name, el.getAttribute('value') ?? '']);
  }
  return out;
}

/** The page's fields with some replaced, as URL-encoded text (fields repeat: lineSku, lineQty). */
export function body(page: Pairs, typed: Record<string, string | string[]>): string {
  const pairs = page
    .filter(([k]) => !(k in typed))
    .concat(Object.entries(typed).flatMap(([k, v]): Pairs => (Array.isArray(v) ? v : [v]).map((one) => [k, one])));
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

export async function operator(ctx: Ctx) {
  const user = await buildUser(ctx.db, 'operator');
  const { agent } = await loginAs(ctx.app, user.email);
  /** Posts the form as a browser does: the last page's fields, with what is typed and the button (op). */
  let page = (await agent.get('/orders/new').expect(200)).text;
  const send = async (typed: Record<string, string | string[]>) => {
    const res = await agent
      .post('/orders/new')
      .type('form')
      .send(body(fieldsOf(page), typed));
    if (res.status !== 302) page = res.text;
    return res;
  };
  return { agent, send, page: () => page };
}
