//! What a person pasted, read without asking Hex: a project UUID, a link to a project (logic or
//! app view, any Hex host), or else a title. Nothing read here is trusted: every id found is
//! confirmed with Hex before it is answered (see the module above).

use url::Url;
use uuid::Uuid;

/// The longest input read, in characters: a link with a long query string fits easily.
pub const MAX_CHARS: usize = 2_000;

/// What the pasted text is.
#[derive(Debug, PartialEq, Eq)]
pub enum Pasted {
    /// A bare project UUID.
    Id(Uuid),
    /// A link to a project.
    Link(Link),
    /// Anything else: a title, or the start of one.
    Title(String),
}

/// A link to a project, as far as its path tells.
#[derive(Debug, PartialEq, Eq)]
pub struct Link {
    /// `scheme://host[:port]`, to build the project's links on the same host.
    pub origin: String,
    /// The workspace's path segment (a name like `acme` or the workspace's id), when present.
    pub workspace: Option<String>,
    /// A UUID that names the project: after `/hex/` (the logic view) or `/app/`.
    pub id: Option<Uuid>,
    /// The UUID a short id after the app's slug decodes to (`…/app/Revenue-032CAGPxUhxFTL3eU6LpRr`);
    /// not always the project's id, so it is only a candidate.
    pub short_id: Option<Uuid>,
    /// The app's slug (its title with dashes), when the link has one.
    pub slug: Option<String>,
}

/// Reads the text; the error says what is wrong with a link that names no project.
pub fn read(text: &str) -> Result<Pasted, String> {
    let text = text
        .trim()
        .trim_matches(|c| c == '<' || c == '>' || c == '"');
    if text.is_empty() {
        return Err("is empty: paste a Hex link, a project id or a title".into());
    }
    if let Some(id) = uuid(text) {
        return Ok(Pasted::Id(id));
    }
    match as_url(text) {
        Some(url) => link(&url).map(Pasted::Link),
        None => Ok(Pasted::Title(text.to_string())),
    }
}

/// A hyphenated UUID (Hex's form), any case.
fn uuid(text: &str) -> Option<Uuid> {
    (text.len() == 36)
        .then(|| Uuid::try_parse(text).ok())
        .flatten()
}

/// The text as a URL when it is one: with a scheme, or a Hex host without one
/// (`app.hex.tech/acme/app/…`).
fn as_url(text: &str) -> Option<Url> {
    if text.chars().any(char::is_whitespace) {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return Url::parse(text).ok();
    }
    let host = lower.split('/').next().unwrap_or_default();
    (host == "hex.tech" || host.ends_with(".hex.tech"))
        .then(|| Url::parse(&format!("https://{text}")).ok())
        .flatten()
}

/// The project a link's path names: `[/<workspace>]/(hex|app)/<id or slug-shortid>/…`.
fn link(url: &Url) -> Result<Link, String> {
    let segments: Vec<String> = url
        .path_segments()
        .into_iter()
        .flatten()
        .filter(|segment| !segment.is_empty())
        .map(decode)
        .collect();
    let is_marker = |segment: Option<&String>| {
        segment.is_some_and(|segment| segment == "hex" || segment == "app")
    };
    // A workspace may itself be called `app`: the marker is the second segment when that is one.
    let (workspace, at) = if is_marker(segments.get(1)) {
        (segments.first().cloned(), 1)
    } else if is_marker(segments.first()) {
        (None, 0)
    } else {
        return Err(
            "is a link, but not to a project: a project's link has /hex/<id>/ (its logic) or /app/<name>/ (its app) in its path"
                .into(),
        );
    };
    let Some(named) = segments.get(at + 1) else {
        return Err("is a link that ends before naming a project".into());
    };
    let mut link = Link {
        origin: url.origin().ascii_serialization(),
        workspace,
        id: None,
        short_id: None,
        slug: None,
    };
    if let Some(id) = uuid(named) {
        link.id = Some(id);
        return Ok(link);
    }
    match named
        .rsplit_once('-')
        .map(|(slug, tail)| (slug, short_id(tail)))
    {
        Some((slug, Some(id))) => {
            link.short_id = Some(id);
            link.slug = Some(slug.to_string()).filter(|slug| !slug.is_empty());
        }
        _ => match short_id(named) {
            Some(id) => link.short_id = Some(id),
            None => link.slug = Some(named.clone()),
        },
    }
    Ok(link)
}

/// A path segment with its percent-escapes decoded (a slug may hold any character).
fn decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// The digits of Hex's short ids, in value order.
const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A short id (22 base-62 digits, e.g. `032CAGPxUhxFTL3eU6LpRr`) as the 128-bit UUID it encodes.
fn short_id(text: &str) -> Option<Uuid> {
    if text.len() != 22 {
        return None;
    }
    let mut value: u128 = 0;
    for byte in text.bytes() {
        let digit = BASE62.iter().position(|&d| d == byte)?;
        value = value.checked_mul(62)?.checked_add(digit as u128)?;
    }
    Some(Uuid::from_u128(value))
}

/// A title or slug reduced to what survives in a slug: lower-case letters and digits, every
/// other run of characters one dash (`Q3 Revenue (draft)` and `Q3-revenue-draft` agree).
pub fn slug_key(text: &str) -> String {
    let mut key = String::with_capacity(text.len());
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        if !key.is_empty() {
            key.push('-');
        }
        key.extend(word.chars().flat_map(char::to_lowercase));
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link_of(text: &str) -> Link {
        match read(text).unwrap() {
            Pasted::Link(link) => link,
            other => panic!("not a link: {other:?}"),
        }
    }

    const ID: &str = "fa721eba-e774-4036-bda1-52323202ef9a";

    #[test]
    fn a_logic_link_names_the_project_and_its_workspace() {
        let link = link_of(&format!(
            "https://app.hex.tech/e8198fd2-0779-4dff-a368-06371d3af467/hex/{ID}/draft/logic?view=notebook"
        ));
        assert_eq!(link.id, Some(Uuid::parse_str(ID).unwrap()));
        assert_eq!(
            link.workspace.as_deref(),
            Some("e8198fd2-0779-4dff-a368-06371d3af467")
        );
        assert_eq!(link.origin, "https://app.hex.tech");
    }

    #[test]
    fn app_links_with_an_id_regional_hosts_and_no_scheme_are_read() {
        for text in [
            format!("https://eu.hex.tech/acme/app/{ID}/latest"),
            format!("acme.hex.tech/acme/app/{}/latest", ID.to_uppercase()),
            format!("https://app.hex.tech/app/{ID}/latest#cell"),
            format!("<https://app.hex.tech/acme/hex/{ID}/draft/app>"),
        ] {
            assert_eq!(
                link_of(&text).id,
                Some(Uuid::parse_str(ID).unwrap()),
                "{text}"
            );
        }
        assert_eq!(
            link_of(&format!("https://eu.hex.tech/acme/app/{ID}/latest")).origin,
            "https://eu.hex.tech"
        );
        assert_eq!(
            link_of(&format!("https://app.hex.tech/app/{ID}/latest")).workspace,
            None
        );
    }

    // Public links whose short ids decode to well-formed version-7 UUIDs (version nibble 7,
    // variant 10xx), created minutes after their workspace's own id: the digit order is
    // 0-9, A-Z, a-z.
    #[test]
    fn short_ids_in_app_links_decode_to_uuids() {
        let link = link_of(
            "https://app.hex.tech/019bce85-8714-7002-a7fc-e8078cad974e/app/School-Crypto-Timing-032CAGPxUhxFTL3eU6LpRr/latest",
        );
        assert_eq!(
            link.short_id,
            Some(Uuid::parse_str("019bce88-5040-7002-acd6-820f765e0f03").unwrap())
        );
        assert_eq!(link.slug.as_deref(), Some("School-Crypto-Timing"));
        assert_eq!(link.id, None);
        let link = link_of("https://app.hex.tech/redis/app/AI-usage-032EARbPw0YYLaJdMcBxfj/latest");
        assert_eq!(
            link.short_id.unwrap().to_string(),
            "019be0a0-fe08-7001-b4b3-dea6190d3a8f"
        );
        assert_eq!(link.workspace.as_deref(), Some("redis"));
    }

    #[test]
    fn a_slug_without_an_id_is_kept_for_matching_titles() {
        let link = link_of("https://app.hex.tech/app/Qoyod-marketing-performance/latest");
        assert_eq!(link.slug.as_deref(), Some("Qoyod-marketing-performance"));
        assert_eq!((link.id, link.short_id), (None, None));
        let link = link_of("https://app.hex.tech/acme/app/Caf%C3%A9-sales/latest");
        assert_eq!(link.slug.as_deref(), Some("Café-sales"));
    }

    #[test]
    fn a_workspace_called_app_is_not_taken_for_the_marker() {
        let link = link_of(&format!("https://app.hex.tech/app/app/{ID}/latest"));
        assert_eq!(link.workspace.as_deref(), Some("app"));
        assert!(link.id.is_some());
    }

    #[test]
    fn ids_titles_and_links_to_no_project_are_told_apart() {
        assert_eq!(
            read(&format!(" {} ", ID.to_uppercase())).unwrap(),
            Pasted::Id(Uuid::parse_str(ID).unwrap())
        );
        assert_eq!(
            read("Revenue dashboard").unwrap(),
            Pasted::Title("Revenue dashboard".into())
        );
        assert_eq!(
            read("revenue.csv").unwrap(),
            Pasted::Title("revenue.csv".into())
        );
        for bad in [
            "https://app.hex.tech/acme/home",
            "https://app.hex.tech/acme/app",
            "",
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn short_ids_must_be_22_base62_digits_within_128_bits() {
        assert!(short_id("032CAGPxUhxFTL3eU6LpR").is_none());
        assert!(short_id("032CAGPxUhxFTL3eU6LpR_").is_none());
        assert!(short_id("zzzzzzzzzzzzzzzzzzzzzz").is_none());
        assert!(short_id("0000000000000000000000").is_some());
    }

    #[test]
    fn slug_keys_agree_between_titles_and_slugs() {
        assert_eq!(slug_key("Q3 Revenue (draft)"), "q3-revenue-draft");
        assert_eq!(slug_key("Q3-revenue-draft"), "q3-revenue-draft");
        assert_eq!(slug_key("  Café — sales "), "café-sales");
        assert_eq!(slug_key("!!!"), "");
    }
}
