//! `zhifa users …`: the operator's account commands (三员分立). In the console the security
//! administrator manages every account except its own kind and the auditor's; those, and the
//! first accounts of a deployment, are managed here, on the server, by whoever runs it. The
//! commands go through the same rules and the same write path as the console, under the actor
//! `system`, so every act is in the ledger; passwords are read from standard input, never from
//! the command line (which other users of the machine can see), and must be changed at the
//! account's first sign-in.

use super::StoreArgs;
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use std::io::BufRead;
use uuid::Uuid;
use zhifa_domain::auth::Role;
use zhifa_server::Settings;

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Create an account; its password is read from standard input (one line).
    Create {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        username: String,
        /// The person's name as shown on their records.
        #[arg(long)]
        name: String,
        /// Role (repeatable): security_admin, auditor, system_admin, agency_head, officer, …
        #[arg(long = "role", required = true, value_parser = parse_role)]
        roles: Vec<Role>,
        /// The agency: its unified social credit code, its exact name or its id.
        #[arg(long)]
        agency: String,
    },
    /// Disable an account (its sessions end).
    Disable {
        #[command(flatten)]
        store: StoreArgs,
        username: String,
    },
    /// Enable a disabled account.
    Enable {
        #[command(flatten)]
        store: StoreArgs,
        username: String,
    },
    /// Lift a sign-in lock.
    Unlock {
        #[command(flatten)]
        store: StoreArgs,
        username: String,
    },
    /// Set a new password (read from standard input); it must be changed at the next sign-in.
    ResetPassword {
        #[command(flatten)]
        store: StoreArgs,
        username: String,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        format!(
            "unknown role {s}; one of: {}",
            Role::ALL.map(|r| r.as_str()).join(", ")
        )
    })
}

fn password_from_stdin() -> Result<String> {
    eprintln!("password (one line on standard input):");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let pw = line.trim_end_matches(['\r', '\n']).to_string();
    if pw.is_empty() {
        bail!("no password on standard input");
    }
    Ok(pw)
}

pub async fn run(command: UsersCommand) -> Result<()> {
    let store = match &command {
        UsersCommand::Create { store, .. }
        | UsersCommand::Disable { store, .. }
        | UsersCommand::Enable { store, .. }
        | UsersCommand::Unlock { store, .. }
        | UsersCommand::ResetPassword { store, .. } => store.clone(),
    };
    let st = store.state(Settings::default()).await?;
    let op = zhifa_server::service::operator(&st)
        .await
        .map_err(|e| anyhow::anyhow!("{}", zhifa_server::error::ApiError::from(e).body.message))?;
    let fail = |e: zhifa_server::service::ServiceError| {
        let e = zhifa_server::error::ApiError::from(e);
        match e.body.field {
            Some(f) => anyhow::anyhow!("{f}: {}", e.body.message),
            None => anyhow::anyhow!("{}", e.body.message),
        }
    };
    let find = async |username: &str| -> Result<zhifa_domain::registry::User> {
        st.store
            .user_by_username(&username.trim().to_lowercase())
            .await?
            .with_context(|| format!("no account named {username}"))
    };
    let enabling = matches!(command, UsersCommand::Enable { .. });
    match command {
        UsersCommand::Create {
            username,
            name,
            roles,
            agency,
            ..
        } => {
            let agency_id = match Uuid::parse_str(agency.trim()) {
                Ok(id) => id,
                Err(_) => {
                    let wanted = agency.trim();
                    st.store
                        .agencies(
                            &zhifa_domain::scope::Scope::everything(),
                            &zhifa_store::Page {
                                q: Some(wanted.to_string()),
                                limit: 100,
                                after: None,
                            },
                        )
                        .await?
                        .items
                        .into_iter()
                        .find(|a| a.credit_code.eq_ignore_ascii_case(wanted) || a.name == wanted)
                        .with_context(|| {
                            format!("no agency with credit code, name or id {wanted}")
                        })?
                        .id
                }
            };
            let draft = zhifa_domain::registry::UserDraft {
                username,
                display_name: name,
                agency_id,
                roles,
                officer_id: None,
                password: password_from_stdin()?,
            };
            let user = zhifa_server::service::create_user(&st, &op, &draft)
                .await
                .map_err(fail)?;
            println!(
                "created {} ({}); the password must be changed at the first sign-in",
                user.username,
                user.roles
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join("、")
            );
        }
        UsersCommand::Disable { username, .. } | UsersCommand::Enable { username, .. } => {
            let active = enabling;
            let user = find(&username).await?;
            zhifa_server::service::set_user_active(&st, &op, user.id, active)
                .await
                .map_err(fail)?;
            println!(
                "{} {}",
                user.username,
                if active { "enabled" } else { "disabled" }
            );
        }
        UsersCommand::Unlock { username, .. } => {
            let user = find(&username).await?;
            zhifa_server::service::unlock_account(&st, &op, user.id)
                .await
                .map_err(fail)?;
            println!("{} unlocked", user.username);
        }
        UsersCommand::ResetPassword { username, .. } => {
            let user = find(&username).await?;
            let pw = password_from_stdin()?;
            zhifa_server::service::reset_password(&st, &op, user.id, &pw)
                .await
                .map_err(fail)?;
            println!(
                "{}: password set; it must be changed at the next sign-in",
                user.username
            );
        }
    }
    Ok(())
}
