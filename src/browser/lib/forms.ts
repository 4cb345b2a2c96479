// What the order's status form shows, decided without the DOM. Pure.

/**
 * The e-mail choice beside a chosen status (its option's `data-mail`: 'auto', 'offer' or 'never'):
 * ticked when the status sends one automatically, offered unticked, hidden when the status sends
 * none, when nothing is chosen yet, or when no e-mail can go (`canMail`: the notify box is there and
 * enabled). "No e-mail" is said when a status is chosen and no e-mail can go with it.
 */
export function mailChoice({ chosen, mode = 'never', canMail }: { chosen: boolean; mode?: string | undefined; canMail: boolean }): {
  choiceHidden: boolean;
  noneHidden: boolean;
  notify: boolean;
} {
  return { choiceHidden: !chosen || !canMail || mode === 'never', noneHidden: !chosen || (canMail && mode !== 'never'), notify: mode === 'auto' };
}
