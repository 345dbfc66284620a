//! The client reads unknown enum values into `Unknown(…)` instead of failing, which would hide a
//! misspelt value: every value the sandbox sends must be one the client knows.

use hex_client::PageCaps;
use hex_client::api::cells::ListCellsParams;
use hex_client::api::connections::{ConnectionDetails, ListDataConnectionsParams};
use hex_client::api::projects::ListProjectsParams;
use hex_client::api::runs::GetProjectRunsParams;
use hex_client::api::users::ListUsersParams;

use crate::common::{Env, no_hang};

fn uncapped() -> PageCaps {
    PageCaps {
        max_pages: None,
        max_items: None,
        max_elapsed: None,
        page_size: None,
    }
}

#[tokio::test]
async fn every_enum_value_the_sandbox_sends_is_known_to_the_client() {
    let env = Env::start().await;
    let params = ListProjectsParams {
        include_archived: true,
        include_components: true,
        include_trashed: true,
        include_sharing: true,
        ..ListProjectsParams::default()
    };
    let walker = env.client.projects().pages(params, uncapped());
    let projects = env.ok(no_hang(walker.collect_items()).await).items;
    for project in &projects {
        assert!(project.kind.is_known(), "{:?}", project.kind);
        for schedule in &project.schedules {
            assert!(schedule.cadence.is_known(), "{schedule:?}");
            let weekly = schedule
                .weekly
                .as_ref()
                .and_then(|w| w.day_of_week.as_ref());
            assert!(weekly.is_none_or(|d| d.is_known()), "{schedule:?}");
        }
        let sharing = project.sharing.as_ref().unwrap();
        let mut access = vec![&sharing.workspace, &sharing.public_web, &sharing.support]
            .into_iter()
            .flatten()
            .map(|g| &g.access)
            .collect::<Vec<_>>();
        access.extend(sharing.users.iter().map(|s| &s.access));
        access.extend(sharing.groups.iter().map(|s| &s.access));
        access.extend(sharing.collections.iter().map(|s| &s.access));
        assert!(access.iter().all(|a| a.is_known()), "{sharing:?}");

        let cells = env
            .client
            .cells()
            .pages(ListCellsParams::new(&project.id), uncapped());
        for cell in env.ok(no_hang(cells.collect_items()).await).items {
            assert!(cell.cell_type.is_known(), "{:?}", cell.cell_type);
        }
        let runs = env.ok(no_hang(
            env.client
                .runs()
                .list(&project.id, &GetProjectRunsParams::default()),
        )
        .await);
        for run in runs.runs {
            assert!(run.status.is_known(), "{:?}", run.status);
            assert!(run.run_trigger.is_some_and(|t| t.is_known()));
        }
    }
    let users = env
        .client
        .users()
        .pages(ListUsersParams::default(), uncapped());
    for user in env.ok(no_hang(users.collect_items()).await).items {
        assert!(user.role.is_known(), "{:?}", user.role);
    }
    let connections = env
        .client
        .connections()
        .pages(ListDataConnectionsParams::default(), uncapped());
    for connection in env.ok(no_hang(connections.collect_items()).await).items {
        assert!(connection.kind.is_known());
        assert!(
            connection
                .schema_refresh_access
                .is_some_and(|a| a.is_known())
        );
        let details = connection.connection_details.as_ref().unwrap();
        assert!(
            !matches!(details, ConnectionDetails::Other(_)),
            "{details:?}"
        );
        let sharing = connection.sharing.unwrap();
        let workspace = sharing.workspace.unwrap();
        for access in [workspace.public, workspace.guests, workspace.members]
            .into_iter()
            .flatten()
        {
            assert!(access.is_known(), "{access:?}");
        }
        for group in sharing.groups.unwrap_or_default() {
            assert!(group.access.is_known());
        }
        if let Some(schedule) = connection.schema_refresh_schedule {
            assert!(schedule.cadence.is_known());
        }
    }
}
