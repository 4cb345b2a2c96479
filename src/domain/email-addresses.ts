/** A list of addresses as typed in a form or SHOP_ADMIN_EMAILS: commas, semicolons, spaces or new lines between. */
export function splitAddresses(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,;]+/)
        .map((a) => a.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}
