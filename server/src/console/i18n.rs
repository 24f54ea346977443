//! The console's words (界面文字), through Fluent: `locales/zh-CN.ftl`
//! (first) and `locales/en.ftl`, built into the binary. Domain names
//! (statuses, event kinds, roles) come from `paidan_core::labels` and the
//! configuration, which carry both languages.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use paidan_core::labels::Label;
use std::sync::OnceLock;

/// The console's languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 中文 (the default).
    Zh,
    /// English.
    En,
}

impl Lang {
    /// From a cookie or query value; Chinese unless English is asked for.
    pub fn parse(s: Option<&str>) -> Lang {
        match s {
            Some(v) if v.starts_with("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    /// The code for `<html lang>` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The other one (the switch link).
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// A message.
    pub fn t(self, key: &str) -> String {
        format(self, key, None)
    }

    /// A message with one argument.
    pub fn t1(self, key: &str, name: &str, value: &str) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_owned(), value.to_owned());
        format(self, key, Some(&args))
    }

    /// A message with two arguments.
    pub fn t2(self, key: &str, (n1, v1): (&str, &str), (n2, v2): (&str, &str)) -> String {
        let mut args = FluentArgs::new();
        args.set(n1.to_owned(), v1.to_owned());
        args.set(n2.to_owned(), v2.to_owned());
        format(self, key, Some(&args))
    }

    /// A domain label in this language.
    pub fn label(self, l: Label) -> &'static str {
        match self {
            Lang::Zh => l.zh,
            Lang::En => l.en,
        }
    }

    /// One of a pair of configured names.
    pub fn name<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

type Bundle = FluentBundle<FluentResource>;

fn bundle(src: &str, lang: &str) -> Bundle {
    let res = FluentResource::try_new(src.to_owned()).expect("the built-in message file parses");
    let mut b = FluentBundle::new_concurrent(vec![lang.parse().expect("a language id")]);
    // No Unicode isolation marks around arguments: they show in HTML tests.
    b.set_use_isolating(false);
    b.add_resource(res).expect("no duplicate messages");
    b
}

fn bundles() -> &'static (Bundle, Bundle) {
    static B: OnceLock<(Bundle, Bundle)> = OnceLock::new();
    B.get_or_init(|| {
        (
            bundle(include_str!("../../locales/zh-CN.ftl"), "zh-CN"),
            bundle(include_str!("../../locales/en.ftl"), "en"),
        )
    })
}

fn format(lang: Lang, key: &str, args: Option<&FluentArgs<'_>>) -> String {
    let (zh, en) = bundles();
    let b = if lang == Lang::En { en } else { zh };
    let Some(pattern) = b.get_message(key).and_then(|m| m.value()) else {
        // A missing message shows its key (and the test below fails).
        return key.to_owned();
    };
    let mut errors = Vec::new();
    b.format_pattern(pattern, args, &mut errors).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_every_message() {
        let keys = |src: &str| -> Vec<String> {
            src.lines()
                .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim().to_owned()))
                .collect()
        };
        let zh = keys(include_str!("../../locales/zh-CN.ftl"));
        let en = keys(include_str!("../../locales/en.ftl"));
        assert_eq!(zh, en, "the same keys in the same order");
        for k in &zh {
            assert_ne!(Lang::Zh.t(k), *k, "{k}");
            assert_ne!(Lang::En.t(k), *k, "{k}");
        }
        assert_eq!(Lang::Zh.t1("due-in", "hours", "3"), "剩余 3 小时");
        assert_eq!(Lang::En.t("login-submit"), "Log in");
    }
}
