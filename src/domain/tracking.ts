// Where a parcel can be followed: the carrier's own tracking page for the parcel when its booking
// gave one, else the shop's pattern from Settings → E-mails (`{parcel}` standing for the ID), else
// none. One rule for the shipped e-mail, the `delivery.reported` webhook, the API and the order page.

/**
 * A carrier's tracking address as we pass it on: an absolute http(s) URL only (anything else, such
 * as `javascript:` or a bare host, is dropped), in its normalised form, so characters that would end
 * a link early (spaces, quotes, `<`, `>`) are percent-encoded and the whole address is one link.
 */
export function carrierTrackingUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  if (!parsed.hostname) return null;
  return parsed.href;
}

/**
 * The tracking page of a parcel: its own (the carrier's, {@link carrierTrackingUrl}), else the shop's
 * pattern with the parcel ID filled in, else null.
 */
export function trackingUrlOf(parcelId: string, own: string | null | undefined, pattern: string | null | undefined): string | null {
  const carriers = carrierTrackingUrl(own);
  if (carriers) return carriers;
  return pattern ? pattern.replaceAll('{parcel}', encodeURIComponent(parcelId)) : null;
}
