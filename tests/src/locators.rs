//! Where things are on the page, per docs/contracts.md. The widget lives in the open shadow root
//! of `#waymark-root`, so its selectors only mean something inside that root.

use anyhow::Context;
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};

/// The widget's host element, a child of `<body>`.
pub const WIDGET_ROOT: &str = "#waymark-root";
/// JavaScript expression for the widget's shadow root (or `null`).
pub const WIDGET_SHADOW_ROOT_JS: &str =
    "(document.querySelector('#waymark-root') || {}).shadowRoot || null";

/// A rendered step (inside the shadow root).
pub const STEP: &str = "[data-waymark-step]";
/// The "2 of 4" progress text of a step.
pub const STEP_PROGRESS: &str = "[data-waymark-progress]";
/// A tooltip's arrow.
pub const TOOLTIP_ARROW: &str = "[data-waymark-arrow]";
/// What Tab can reach (in a step: its buttons and the links in its body); the card itself has
/// `tabindex="-1"`, so it takes focus when it opens but is not a Tab stop.
pub const FOCUSABLE: &str = "a[href], area[href], button:not([disabled]), input:not([disabled]), \
     select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex^=\"-\"])";

/// A step button by its `data-action` (`next`, `back`, `dismiss`, `cta`).
pub fn step_button(action: &str) -> String {
    format!("{STEP} button[data-action=\"{action}\"]")
}

/// A step of one kind (`tooltip`, `modal`, `hotspot`, `banner`, `slideout`).
pub fn step_of_kind(kind: &str) -> String {
    format!("{STEP}[data-kind=\"{kind}\"]")
}

/// A button (`next`, `dismiss`, ...) of the step of one kind, for pages where a banner and
/// another step may both be rendered.
pub fn step_of_kind_button(kind: &str, action: &str) -> String {
    format!("{} button[data-action=\"{action}\"]", step_of_kind(kind))
}

/// The widget's pattern surfaces (docs/patterns.md, "Widget DOM hooks"), inside the shadow root.
pub mod surfaces {
    /// Any surface of one kind (`step`, `checklist`, `hotspot`, `banner`, `celebration`, ...).
    pub fn surface(kind: &str) -> String {
        format!("[data-waymark-surface=\"{kind}\"]")
    }

    /// The image of a modal or slide-out.
    pub const MEDIA_IMAGE: &str = "[data-waymark-step] img[data-waymark-media]";

    /// Every hotspot beacon, and the one of a flow.
    pub const BEACON: &str = "button[data-waymark-beacon]";
    pub fn beacon(flow_id: &str) -> String {
        format!("{BEACON}[data-flow-id=\"{flow_id}\"]")
    }

    /// Every checklist launcher, and the one of a checklist.
    pub const CHECKLIST_LAUNCHER: &str = "button[data-waymark-surface=\"checklist-launcher\"]";
    pub fn checklist_launcher(checklist_id: &str) -> String {
        format!("{CHECKLIST_LAUNCHER}[data-checklist-id=\"{checklist_id}\"]")
    }
    /// The "2/3" count on a checklist's launcher.
    pub fn checklist_count(checklist_id: &str) -> String {
        format!(
            "{} [data-waymark-checklist-count]",
            checklist_launcher(checklist_id)
        )
    }
    /// The open checklist panel, its progress ("2 of 3 done") and its minimise button.
    pub const CHECKLIST_PANEL: &str = "[data-waymark-surface=\"checklist\"]";
    pub const CHECKLIST_PROGRESS: &str =
        "[data-waymark-surface=\"checklist\"] [data-waymark-checklist-progress]";
    pub const CHECKLIST_PROGRESSBAR: &str =
        "[data-waymark-surface=\"checklist\"] [role=\"progressbar\"]";
    pub const CHECKLIST_MINIMISE: &str =
        "[data-waymark-surface=\"checklist\"] button[data-action=\"minimise\"]";
    /// One item of the open panel (`data-state` done, open or locked).
    pub fn checklist_item(item_id: &str) -> String {
        format!("{CHECKLIST_PANEL} li[data-item-id=\"{item_id}\"]")
    }
    /// An item's button: `tick` (manual, open items) or `launch` ("Show me how").
    pub fn checklist_item_button(item_id: &str, action: &str) -> String {
        format!(
            "{} button[data-item-action=\"{action}\"]",
            checklist_item(item_id)
        )
    }

    /// The celebration shown when a checklist is completed, and its badge name.
    pub const CELEBRATION: &str = "[data-waymark-surface=\"celebration\"]";
    pub const BADGE: &str = "[data-waymark-surface=\"celebration\"] [data-waymark-badge]";

    /// The resource center's launcher and panel.
    pub const RESOURCE_LAUNCHER: &str = "button[data-waymark-surface=\"resource-launcher\"]";
    pub const RESOURCE_CENTER: &str = "[data-waymark-surface=\"resource-center\"]";
    /// A section of the panel: `checklists`, `guides` or `articles`.
    pub fn resource_section(section: &str) -> String {
        format!("{RESOURCE_CENTER} [data-rc-section=\"{section}\"]")
    }
    /// The button replaying a tour.
    pub fn resource_launch(flow_id: &str) -> String {
        format!("{RESOURCE_CENTER} button[data-rc-launch=\"{flow_id}\"]")
    }
    pub const RESOURCE_SEARCH: &str =
        "[data-waymark-surface=\"resource-center\"] input[type=\"search\"][data-rc-search]";
    /// Every listed article, and one by id.
    pub const RESOURCE_ARTICLES: &str = "[data-waymark-surface=\"resource-center\"] [data-rc-section=\"articles\"] li[data-article-id]";
    pub fn resource_article(article_id: &str) -> String {
        format!(
            "{RESOURCE_CENTER} [data-rc-section=\"articles\"] li[data-article-id=\"{article_id}\"]"
        )
    }
    pub const RESOURCE_FEEDBACK: &str =
        "[data-waymark-surface=\"resource-center\"] button[data-rc-feedback]";
    /// The feedback form the resource center shows instead of its lists.
    pub const FEEDBACK_FORM: &str =
        "[data-waymark-surface=\"resource-center\"] [data-waymark-feedback-form]";
    /// A category radio button (`bug`, `idea`, `question`, `other`).
    pub fn feedback_category(category: &str) -> String {
        format!("{FEEDBACK_FORM} input[data-category=\"{category}\"]")
    }
    pub const FEEDBACK_TEXT: &str =
        "[data-waymark-surface=\"resource-center\"] textarea[data-feedback-text]";
    pub const FEEDBACK_SEND: &str =
        "[data-waymark-surface=\"resource-center\"] button[data-feedback-send]";
    pub const FEEDBACK_THANKS: &str =
        "[data-waymark-surface=\"resource-center\"] [data-feedback-thanks]";
}

/// A survey question inside the visible step (docs/feedback.md §3).
pub mod survey {
    /// The question's group (`role="radiogroup"` for scales and single choice).
    pub const QUESTION: &str = "[data-waymark-step] [data-waymark-question]";
    /// The group of a question of one kind (`nps`, `ces`, `csat`, `single`, `multiple`, `text`).
    pub fn question_of_kind(kind: &str) -> String {
        format!("{QUESTION}[data-kind=\"{kind}\"]")
    }
    /// Every option of a scale or choice question: native radio buttons or checkboxes.
    pub const OPTION: &str = "[data-waymark-step] [data-waymark-question] input[data-value]";
    /// The option with `value` (a score such as `7`, or an option id).
    pub fn option(value: &str) -> String {
        format!("{OPTION}[data-value=\"{value}\"]")
    }
    /// The visible label of every option of a choice question, in order.
    pub const OPTION_LABEL: &str = "[data-waymark-step] [data-waymark-question] label.option span";
    /// A text question's answer field.
    pub const ANSWER_TEXT: &str = "[data-waymark-step] textarea[data-waymark-answer]";
    /// The button sending the answer ("Next", or "Done" on the last question).
    pub const ANSWER_BUTTON: &str = "[data-waymark-step] button[data-action=\"answer\"]";
}

/// The demo host product's hooks.
pub mod host {
    pub const NAV_DASHBOARD: &str = "#nav-dashboard";
    pub const NAV_PROJECTS: &str = "#nav-projects";
    pub const NAV_SETTINGS: &str = "#nav-settings";
    pub const NEW_PROJECT: &str = "#new-project";
    pub const CREATE_PROJECT_DIALOG: &str = "#create-project-dialog";
    pub const PROJECT_NAME: &str = "#project-name";
    pub const CREATE_PROJECT_SUBMIT: &str = "#create-project-submit";
    pub const INVITE_TEAMMATES: &str = "#invite-teammates";
}

/// The demo admin's hooks (docs/contracts.md, "Admin DOM hooks").
pub mod admin {
    pub const LOGIN_EMAIL: &str = "#login-email";
    pub const LOGIN_PASSWORD: &str = "#login-password";
    pub const LOGIN_SUBMIT: &str = "#login-submit";
    pub const LOGIN_ERROR: &str = "#login-error";
    pub const NAV_FLOWS: &str = "#nav-flows";
    pub const NEW_FLOW: &str = "#new-flow";
    pub const FLOW_ID: &str = "#flow-id";
    pub const FLOW_NAME: &str = "#flow-name";
    pub const TRIGGER_TYPE: &str = "#trigger-type";
    pub const TRIGGER_VALUE: &str = "#trigger-value";
    pub const FLOW_FREQUENCY: &str = "#flow-frequency";
    pub const PUBLISH_FLOW: &str = "#publish-flow";
    pub const EDITOR_STATUS: &str = "#editor-status";
    pub const FORM_ERRORS: &str = "#form-errors";
    pub const NAV_SEGMENTS: &str = "#nav-segments";
    pub const NEW_SEGMENT: &str = "#new-segment";
    pub const SEGMENT_ID: &str = "#segment-id";
    pub const SEGMENT_NAME: &str = "#segment-name";
    pub const SAVE_SEGMENT: &str = "#save-segment";
    pub const SEGMENT_ERRORS: &str = "#segment-errors";
    /// The segment editor's rule builder.
    pub const SEGMENT_RULE: &str = "#segment-rule";
    /// The tour builder's audience choices and the saved segment it targets.
    pub const AUDIENCE_EVERYONE: &str = "#audience-everyone";
    pub const AUDIENCE_IN_SEGMENT: &str = "#audience-in-segment";
    pub const AUDIENCE_MATCHING: &str = "#audience-matching";
    pub const AUDIENCE_SEGMENT: &str = "#audience-segment";
    /// The tour builder's rule builder (for "Users matching conditions").
    pub const AUDIENCE_RULE: &str = "#audience-rule";

    /// The "N of M users match" cell of a segment's row in the segments list.
    pub fn segment_count(segment_id: &str) -> String {
        format!("tr[data-segment-row=\"{segment_id}\"] [data-segment-count]")
    }

    /// A control (`condition-kind`, `condition-field`, `condition-op`, `condition-value`,
    /// `condition-count`, `condition-within-days`) of condition `index` (0-based) of the rule
    /// builder `builder` (`SEGMENT_RULE` or `AUDIENCE_RULE`).
    pub fn condition_field(builder: &str, index: usize, field: &str) -> String {
        format!("{builder} li[data-condition-index=\"{index}\"] [name=\"{field}\"]")
    }

    /// The flow editor's content type (`tour`, `announcement`, ..., `checklist`) and checklist form.
    pub const FLOW_TYPE: &str = "#flow-type";
    pub const CHECKLIST_FORM: &str = "#checklist";
    pub const CHECKLIST_TITLE: &str = "#checklist-title";
    pub const BADGE_ID: &str = "#badge-id";
    pub const BADGE_NAME: &str = "#badge-name";
    pub const ADD_ITEM: &str = "#add-item";

    /// A control (`item-id`, `item-title`, `item-condition`, `item-condition-value`, ...) of the
    /// checklist editor's item at `index` (0-based).
    pub fn checklist_item_field(index: usize, field: &str) -> String {
        format!("#checklist-items > li[data-item-index=\"{index}\"] [name=\"{field}\"]")
    }

    /// The users page: look a user up and read why each flow is (not) shown to them.
    pub const NAV_USERS: &str = "#nav-users";
    pub const USER_LOOKUP_ID: &str = "#user-lookup-id";
    pub const USER_LOOKUP_URL: &str = "#user-lookup-url";
    pub const USER_LOOKUP_SUBMIT: &str = "#user-lookup-submit";
    pub const USERS_ERROR: &str = "#users-error";
    /// One flow's row of the eligibility table, its status cell and its reason cell.
    pub fn eligibility_row(flow_id: &str) -> String {
        format!("#eligibility-table tr[data-eligibility-row=\"{flow_id}\"]")
    }
    pub fn eligibility_status(flow_id: &str) -> String {
        format!("{} [data-eligibility-status]", eligibility_row(flow_id))
    }
    pub fn eligibility_reason(flow_id: &str) -> String {
        format!("{} [data-eligibility-reason]", eligibility_row(flow_id))
    }

    /// A control (`step-id`, `kind`, `title`, `body`, `target`, ...) of the editor's step at `index` (0-based).
    pub fn step_field(index: usize, field: &str) -> String {
        format!("#steps > li[data-step-index=\"{index}\"] [name=\"{field}\"]")
    }

    /// Adds a step to the editor's tour.
    pub const ADD_STEP: &str = "#add-step";
    /// Saves the flow in the editor without publishing it.
    pub const SAVE_FLOW: &str = "#save-flow";

    /// The collapsed "Prerequisites" disclosure (`<details>`) of the editor's step at `index`, and
    /// of the checklist item at `index` (0-based); each holds a rule builder, so
    /// `condition_field(&step_requires(1), 0, "condition-field")` is its first condition's name.
    pub fn step_requires(index: usize) -> String {
        format!("#steps > li[data-step-index=\"{index}\"] details[data-step-requires]")
    }
    pub fn item_requires(index: usize) -> String {
        format!("#checklist-items > li[data-item-index=\"{index}\"] details[data-item-requires]")
    }
    /// The disclosure's `<summary>` (opens and closes it).
    pub fn requires_summary(disclosure: &str) -> String {
        format!("{disclosure} > summary")
    }
    /// A prerequisites radio of a disclosure: `none` ("Right away") or `matching` ("Only once these
    /// conditions hold").
    pub fn requires_mode(disclosure: &str, mode: &str) -> String {
        format!("{disclosure} input[data-requires-mode=\"{mode}\"]")
    }
}

/// The hostile host fixture's hooks (tests/fixtures/hostile-host.html).
pub mod hostile_host {
    pub const TARGET: &str = "#hostile-target";
}

/// The hard host fixtures' pages and targets (tests/fixtures/hard-hosts/).
pub mod hard_host {
    /// A page's name (its path is `/hard-host/NAME`) and the selector of its step's target.
    pub type Page = (&'static str, &'static str);
    pub const DIALOG: Page = ("dialog", "#dialog-target");
    /// The same dialog, closed until `OPEN_DIALOG` is clicked.
    pub const DIALOG_OPENED_LATER: Page = ("dialog-later", "#dialog-target");
    pub const OPEN_DIALOG: &str = "#open-settings";
    /// The target is in the open shadow root of `<account-card>`; the widget finds plain
    /// selectors inside open shadow roots (widget/src/targets.rs).
    pub const SHADOW: Page = ("shadow", "#shadow-target");
    /// The target is in the same-origin `#report-frame`; found the same way.
    pub const IFRAME: Page = ("iframe", "#frame-target");
    pub const TRANSFORMED: Page = ("transformed", "#transformed-target");
    pub const RTL: Page = ("rtl", "#rtl-target");
    pub const MOBILE: Page = ("mobile", "#mobile-target");
    pub const SCROLL: Page = ("scroll", "#scroll-target");
    /// The fixed header the scrolled-to target must not end up under.
    pub const FIXED_HEADER: &str = "#fixed-header";
    pub const LATE: Page = ("late", "#late-target");
}

/// The welcome tour's step ids, in order (docs/contracts.md).
pub mod welcome_tour {
    pub const WELCOME: &str = "welcome";
    pub const PROJECTS_NAV: &str = "projects-nav";
    pub const NEW_PROJECT: &str = "new-project";
    pub const INVITE: &str = "invite";
    pub const STEP_IDS: [&str; 4] = [WELCOME, PROJECTS_NAV, NEW_PROJECT, INVITE];
}

/// An element of the page itself (light DOM): the host product, the admin, a fixture.
pub async fn page_element(client: &Client, selector: &str) -> anyhow::Result<Element> {
    client
        .find(Locator::Css(selector))
        .await
        .with_context(|| format!("the host page has no `{selector}`"))
}

/// An element inside the widget's shadow root, through WebDriver's shadow-root support.
pub async fn widget_element(client: &Client, selector: &str) -> anyhow::Result<Element> {
    let root = client
        .find(Locator::Css(WIDGET_ROOT))
        .await
        .context("the page has no #waymark-root")?;
    let shadow_root = root
        .shadow_root()
        .await
        .context("#waymark-root has no open shadow root")?;
    shadow_root
        .find(Locator::Css(selector))
        .await
        .with_context(|| format!("the widget's shadow root has no `{selector}`"))
}
