//! `POST /console/cases/{id}/act`: a person's action at the console,
//! written by the server for them (their user id and role in the event),
//! after the same policy the sync check applies and the fold's own rules.
//!
//! A form is `application/x-www-form-urlencoded`, or `multipart/form-data`
//! when it carries photos (progress and completion, 处置前后照片): each
//! photo is prepared like a phone's (shrunk, upright, no EXIF, hashed), kept
//! in the photo store, and referenced by the event in the same change.

use super::pages::{Message, may_see, read};
use super::session::Staff;
use crate::config::Config;
use crate::error::ApiError;
use crate::permissions::{check, policy};
use crate::state::AppState;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use paidan_core::photo::{Prepared, prepare};
use paidan_core::{
    CaseId, CaseView, Event, EventData as D, EventKind as K, PhotoRef, PhotoStage, Satisfaction,
};

/// Largest console form (a few photos straight from a camera).
pub const MAX_FORM: usize = 48 * 1024 * 1024;
/// Photos one action may carry.
pub const MAX_PHOTOS: usize = 6;

/// The fields any action form may carry.
#[derive(Debug, Default)]
pub struct ActForm {
    kind: String,
    text: String,
    hours: Option<String>,
    satisfaction: String,
    target: String,
    /// Ticked departments (`departments=a&departments=b`).
    departments: Vec<String>,
    /// A corrected category (triage).
    category: String,
    /// Flagged urgent (triage).
    urgent: bool,
    /// An evaluator's score, 0–100.
    score: String,
    /// Where to go afterwards (the queue or the inbox).
    back: String,
    /// Photo files as uploaded.
    photos: Vec<Vec<u8>>,
}

impl ActForm {
    fn set(&mut self, k: &str, v: String) {
        match k {
            "kind" => self.kind = v,
            "text" => self.text = v,
            "hours" => self.hours = Some(v),
            "satisfaction" => self.satisfaction = v,
            "target" => self.target = v,
            "departments" => self.departments.push(v),
            "category" => self.category = v,
            "urgent" => self.urgent = !v.is_empty(),
            "score" => self.score = v,
            "back" => self.back = v,
            _ => {}
        }
    }

    fn check(self) -> Result<ActForm, String> {
        if self.text.chars().count() > 2000 {
            return Err("text: 最多 2000 字 / at most 2,000 characters".into());
        }
        Ok(self)
    }
}

fn hours(f: &ActForm, default: f64) -> Result<f64, String> {
    match f.hours.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
        None => Ok(default),
        Some(h) => h
            .parse::<f64>()
            .ok()
            .filter(|h| h.is_finite() && *h > 0.0 && *h <= 24.0 * 60.0)
            .ok_or_else(|| format!("{h:?}: 不是有效的小时数 / is not a number of hours")),
    }
}

/// Build the event data of a form on this case; a clear reason when a field
/// is wrong. Photos are added once they are kept ([`with_photos`]).
fn data_of(f: &ActForm, config: &Config, now: i64, view: &CaseView) -> Result<D, String> {
    let kind = K::parse(&f.kind).ok_or_else(|| format!("unknown action {:?}", f.kind))?;
    let text = f.text.trim().to_owned();
    let need_text = |what: &str| {
        if text.is_empty() {
            Err(format!("{what}: 请填写 / please fill it in"))
        } else {
            Ok(text.clone())
        }
    };
    if !f.photos.is_empty() && !matches!(kind, K::Progress | K::Completed) {
        return Err(format!(
            "{}: 此操作不带照片 / takes no photos",
            kind.as_str()
        ));
    }
    Ok(match kind {
        K::Triaged => {
            let code = if f.category.is_empty() {
                view.category_override.as_ref().map(|c| c.to_string())
            } else {
                Some(f.category.clone())
            };
            let category = match &code {
                Some(c) => Some(
                    config
                        .category(c)
                        .ok_or_else(|| format!("unknown category {c:?}"))?,
                ),
                None => None,
            };
            D::Triaged {
                grid: view.grid.clone(),
                departments: category
                    .map(|c| c.departments.clone())
                    .unwrap_or_else(|| view.suggested.clone()),
                urgent: f.urgent,
                category: category.map(|c| c.code.clone()),
            }
        }
        K::Dispatched => {
            if f.departments.is_empty() {
                return Err("departments: 请选择部门 / choose at least one department".into());
            }
            for d in &f.departments {
                if config.catalog.department(d).is_none() {
                    return Err(format!("unknown department {d:?}"));
                }
            }
            let minutes = (hours(f, 8.0)? * 60.0).round() as i64;
            D::Dispatched {
                departments: f.departments.iter().map(|d| d.as_str().into()).collect(),
                deadline: config.calendar.add_working_minutes(now, minutes),
            }
        }
        K::Reminded => D::Reminded {
            department: None,
            stage: paidan_core::ReminderStage::Overdue,
        },
        K::Accepted => D::Accepted,
        K::Returned => D::Returned {
            reason: need_text("reason")?,
        },
        K::Progress => D::Progress {
            note: need_text("note")?,
            photos: vec![],
        },
        K::ExtensionRequested => D::ExtensionRequested {
            until: config
                .calendar
                .add_working_minutes(now, (hours(f, 8.0)? * 60.0).round() as i64),
            reason: need_text("reason")?,
        },
        K::ExtensionGranted => {
            let a = view
                .assignments
                .iter()
                .find(|a| a.extension_requested.is_some())
                .ok_or("没有待批的延期申请 / no extension was asked for")?;
            D::ExtensionGranted {
                department: a.dept.clone(),
                until: a.extension_requested.unwrap_or(a.deadline),
            }
        }
        K::Completed => D::Completed {
            note: need_text("note")?,
            photos: vec![],
        },
        K::Verified => D::Verified { note: text },
        K::VerificationFailed => D::VerificationFailed {
            reason: need_text("reason")?,
        },
        K::Closed => D::Closed { note: text },
        K::Voided => D::Voided {
            reason: need_text("reason")?,
        },
        K::Held => D::Held {
            reason: need_text("reason")?,
        },
        K::Resumed => D::Resumed { deadline: None },
        K::Unmerged => D::Unmerged { reason: text },
        K::Comment => D::Comment {
            text: need_text("text")?,
        },
        K::Evaluated => D::Evaluated {
            score: f
                .score
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|s| *s <= 100)
                .ok_or("score: 0–100 的整数 / a whole number from 0 to 100")?,
            comment: text,
        },
        K::Callback => D::Callback {
            satisfaction: f.satisfaction.parse::<Satisfaction>().map_err(|_| {
                format!("{:?}: 不是回访结果 / is not a satisfaction", f.satisfaction)
            })?,
            comment: text,
        },
        K::MergedInto => D::MergedInto {
            target: f.target.parse::<CaseId>().map_err(|_| {
                "target: 请选择要合并到的案件 / choose the case to merge into".to_owned()
            })?,
        },
        other => {
            return Err(format!(
                "{} 不在控制台办理 / is not done at the console",
                other.as_str()
            ));
        }
    })
}

/// The event data with the hashes of the photos it shows.
fn with_photos(data: D, hashes: Vec<String>) -> D {
    match data {
        D::Progress { note, .. } => D::Progress {
            note,
            photos: hashes,
        },
        D::Completed { note, .. } => D::Completed {
            note,
            photos: hashes,
        },
        other => other,
    }
}

fn refused(staff: &Staff, status: StatusCode, why: String) -> Response {
    Message::answer(status, staff.lang, why, &staff.path, Some(&staff.who))
}

/// Read the form, urlencoded or multipart.
async fn read_form(req: Request, state: &AppState) -> Result<ActForm, String> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let raw = axum::extract::RawForm::from_request(req, state)
            .await
            .map_err(|e| e.body_text())?;
        let mut f = ActForm::default();
        for (k, v) in form_urlencoded::parse(&raw.0).into_owned() {
            f.set(&k, v);
        }
        return f.check();
    }
    let mut m = Multipart::from_request(req, state)
        .await
        .map_err(|e| e.body_text())?;
    let mut f = ActForm::default();
    while let Some(field) = m.next_field().await.map_err(|e| e.body_text())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photo" {
            let bytes = field.bytes().await.map_err(|e| e.body_text())?;
            // An empty file input still sends a part.
            if !bytes.is_empty() {
                if f.photos.len() == MAX_PHOTOS {
                    return Err(format!(
                        "photo: 最多 {MAX_PHOTOS} 张 / at most {MAX_PHOTOS} photos"
                    ));
                }
                f.photos.push(bytes.to_vec());
            }
        } else {
            let text = field.text().await.map_err(|e| e.body_text())?;
            f.set(&name, text);
        }
    }
    f.check()
}

/// Prepare the form's photos and keep them in the photo store.
async fn keep_photos(
    state: &AppState,
    originals: Vec<Vec<u8>>,
    stage: PhotoStage,
) -> Result<Vec<PhotoRef>, Response> {
    if originals.is_empty() {
        return Ok(Vec::new());
    }
    let blobs = state.blobs.clone();
    tokio::task::spawn_blocking(move || {
        // Every photo must be readable before any is kept.
        let prepared = originals
            .iter()
            .map(|o| prepare(o, stage))
            .collect::<Result<Vec<Prepared>, _>>()
            .map_err(|e| (StatusCode::BAD_REQUEST, format!("photo: {e}")).into_response())?;
        let mut refs = Vec::with_capacity(prepared.len());
        for Prepared { jpeg, reference } in prepared {
            blobs
                .append(&reference.sha256, 0, jpeg.len() as u64, &jpeg)
                .map_err(|e| {
                    ApiError::Internal(anyhow::anyhow!("keeping a console photo: {e}"))
                        .into_response()
                })?;
            refs.push(reference);
        }
        Ok(refs)
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()).into_response())?
}

/// `POST /console/cases/{id}/act`.
pub async fn act(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, Response> {
    let Ok(case_id) = id.parse::<CaseId>() else {
        return Err(refused(
            &staff,
            StatusCode::BAD_REQUEST,
            "not a case id".into(),
        ));
    };
    let mut f = read_form(req, &state)
        .await
        .map_err(|e| refused(&staff, StatusCode::BAD_REQUEST, e))?;
    // The same policy as a device's change: kind and scope of the role.
    let who = staff.who.clone();
    let row = policy::rule(who.role);
    let kind = K::parse(&f.kind).ok_or_else(|| {
        refused(
            &staff,
            StatusCode::BAD_REQUEST,
            format!("unknown action {:?}", f.kind),
        )
    })?;
    if !row.kinds.contains(&kind) {
        return Err(refused(
            &staff,
            StatusCode::FORBIDDEN,
            format!("a {} may not write {}", who.role, kind.as_str()),
        ));
    }
    let found = read(&state, move |conn| super::data::case(conn, &case_id))
        .await
        .map_err(IntoResponse::into_response)?;
    let Some((case, view)) = found else {
        return Err(refused(
            &staff,
            StatusCode::NOT_FOUND,
            "no such case".into(),
        ));
    };
    if !may_see(&who, &case) || !check::in_scope(row.scope, &who, &case) {
        return Err(refused(
            &staff,
            StatusCode::FORBIDDEN,
            staff.lang.t("forbidden"),
        ));
    }
    let now = state.clock.now_ms();
    // The fields are checked before any photo is kept.
    let data = data_of(&f, &state.config, now, &view)
        .map_err(|e| refused(&staff, StatusCode::BAD_REQUEST, e))?;
    let stage = if kind == K::Progress {
        PhotoStage::Process
    } else {
        PhotoStage::Done
    };
    let photos = keep_photos(&state, std::mem::take(&mut f.photos), stage).await?;
    let data = with_photos(data, photos.iter().map(|p| p.sha256.clone()).collect());
    let mut event = Event::new(who.user.clone(), who.role, who.dept.clone(), data);
    event.at = now;
    match state
        .writer
        .act(case_id, photos, vec![event])
        .await
        .map_err(IntoResponse::into_response)?
    {
        Ok(_) => {
            let back = if f.back.starts_with("/console") && !f.back.starts_with("//") {
                f.back
            } else {
                format!("/console/cases/{case_id}")
            };
            Ok(Redirect::to(&back).into_response())
        }
        Err(why) => Err(refused(&staff, StatusCode::CONFLICT, why)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &[u8]) -> Result<ActForm, String> {
        let mut f = ActForm::default();
        for (k, v) in form_urlencoded::parse(body).into_owned() {
            f.set(&k, v);
        }
        f.check()
    }

    fn form(kind: &str) -> ActForm {
        ActForm {
            kind: kind.into(),
            ..Default::default()
        }
    }

    #[test]
    fn forms_decode_with_repeated_departments() {
        let f = parse(
            b"kind=dispatched&departments=urban_mgmt&departments=market&hours=4&text=%E5%9E%83+x",
        )
        .unwrap();
        assert_eq!(f.departments, vec!["urban_mgmt", "market"]);
        assert_eq!(f.text, "垃 x");
        let broken = parse(b"kind=%ZZ").unwrap();
        assert_eq!(broken.kind, "%ZZ", "a broken escape stays as it was");
        let view = paidan_core::fold(&[]);
        assert!(
            data_of(&broken, &Config::demo(), 0, &view)
                .unwrap_err()
                .contains("unknown action")
        );
        assert!(parse(format!("kind=comment&text={}", "x".repeat(2001)).as_bytes()).is_err());
    }

    #[test]
    fn each_action_says_which_field_is_wrong() {
        let config = Config::demo();
        let view = paidan_core::fold(&[]);
        let data = |f: &ActForm| data_of(f, &config, 0, &view);
        assert!(
            data(&form("dispatched"))
                .unwrap_err()
                .contains("departments")
        );
        assert!(data(&form("closed")).is_ok());
        assert!(data(&form("returned")).unwrap_err().contains("reason"));
        let bad_hours = ActForm {
            departments: vec!["market".into()],
            hours: Some("NaN".into()),
            ..form("dispatched")
        };
        assert!(data(&bad_hours).unwrap_err().contains("hours"));
        let bad_dept = ActForm {
            departments: vec!["nobody".into()],
            ..form("dispatched")
        };
        assert!(data(&bad_dept).unwrap_err().contains("nobody"));
        assert!(
            data(&form("extension_granted")).is_err(),
            "nothing was asked for"
        );
        assert!(
            data(&ActForm {
                score: "101".into(),
                ..form("evaluated")
            })
            .unwrap_err()
            .contains("score")
        );
        assert!(
            data(&ActForm {
                score: "88".into(),
                ..form("evaluated")
            })
            .is_ok()
        );
        assert!(
            data(&ActForm {
                category: "x'; DROP".into(),
                ..form("triaged")
            })
            .is_err()
        );
        assert!(data(&form("reported")).is_err(), "not a console action");
        let photo = || vec![b"jpeg".to_vec()];
        let closing = ActForm {
            text: "done".into(),
            photos: photo(),
            ..form("closed")
        };
        assert!(data(&closing).is_err(), "closing takes no photos");
        let completing = ActForm {
            text: "清理完毕".into(),
            photos: photo(),
            ..form("completed")
        };
        let completed = with_photos(data(&completing).unwrap(), vec!["a".into()]);
        assert!(matches!(completed, D::Completed { photos, .. } if photos == vec!["a".to_owned()]));
    }
}
