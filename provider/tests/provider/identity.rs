//! Identity users through the generated identity client: an account's administrator adds
//! a user (with a password, or with one generated and returned), the user gets tokens for
//! the administrator's account by that password and uses them, the administrator updates
//! and deletes the user, and neither another account nor the added user itself can
//! manage users it does not own.

use cloudservers::{identity, v2};
use identity::models as m;
use runtime::client::{IdentityV2, Transport};
use runtime::Secret;
use std::io::Write;

/// A provider with two accounts (a seed file of their credentials).
async fn cloud() -> (provider::Handle, tempfile::NamedTempFile) {
    let mut seed = tempfile::NamedTempFile::new().expect("a seed file");
    let accounts = serde_json::json!({"accounts": [
        {"username": "admin-a", "password": "pass-a", "api_key": "key-a", "tenant": "1001"},
        {"username": "admin-b", "password": "pass-b", "api_key": "key-b", "tenant": "1002"},
    ]});
    seed.write_all(accounts.to_string().as_bytes()).expect("written");
    let cloud = provider::spawn(provider::Config::default().virtual_clock().rate_limits(false).seed(seed.path())).await.expect("the provider starts");
    (cloud, seed)
}

/// The identity client of a user, authenticated by password.
fn client(cloud: &provider::Handle, username: &str, password: &str) -> identity::client::Client {
    // Host operations go below the identity service: the base names its v2.0 root.
    let t = Transport::builder()
        .auth(IdentityV2::password(cloud.identity_url(), username, password))
        .base_url(format!("{}/v2.0", cloud.identity_url()))
        .build()
        .expect("a transport");
    identity::client::Client::new(t)
}

fn admin(cloud: &provider::Handle, n: usize) -> identity::client::Client {
    let a = &cloud.accounts()[n];
    client(cloud, &a.username, &a.password)
}

/// A token request by password, through an identity client that needs no token.
async fn token(cloud: &provider::Handle, username: &str, password: &str) -> Result<m::AuthResponse, Option<u16>> {
    let anonymous = identity::client::Client::new(Transport::builder().base_url(format!("{}/v2.0", cloud.identity_url())).build().expect("a transport"));
    let req = m::AuthRequest::new().password_credentials(m::PasswordCredentials::new(username, Secret::new(password)));
    anonymous.v2_tokens_create(&req).await.map(|r| r.body).map_err(|e| e.fault().map(|f| f.status()))
}

fn status<E: runtime::faults::FaultError>(e: &runtime::client::ClientError<E>) -> Option<u16> {
    e.fault().map(|f| f.status())
}

fn op(id: &str) -> &'static runtime::shapes::operations::Operation<'static> {
    identity::operations::OPERATIONS.iter().find(|o| o.id == id).unwrap_or_else(|| panic!("{id} is documented"))
}

fn success(id: &str) -> u16 {
    op(id).success().map(|r| r.status).expect("a documented success")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_added_user_gets_tokens_for_the_account() {
    let (cloud, _seed) = cloud().await;
    let a = admin(&cloud, 0);
    let tenant_a = cloud.accounts()[0].tenant.clone();

    let created = a.v2_users_create(&m::User::new("alice", "alice@example.org", true).os_ksadm_password(Secret::new("alice-pass"))).await.expect("create");
    assert_eq!(created.status, success("identity.v2.users.create"));
    assert_eq!((created.body.username.as_str(), created.body.email.as_str(), created.body.enabled), ("alice", "alice@example.org", true));
    assert!(created.body.os_ksadm_password.is_none(), "a given password is not sent back");

    // Her token is for the administrator's account, and names her id.
    let access = token(&cloud, "alice", "alice-pass").await.expect("a token");
    assert_eq!(access.token.tenant.id, tenant_a);
    assert_eq!(access.user.name, "alice");
    let alice = access.user.id.clone();
    assert!(!alice.is_empty() && alice != "alice", "the provider assigned an id: {alice}");
    assert_eq!(token(&cloud, "alice", "wrong").await.err(), Some(Some(401)));
    // The token works on the account's servers.
    let compute = v2::client::Client::new(Transport::builder().auth(IdentityV2::password(cloud.identity_url(), "alice", "alice-pass")).build().expect("a transport"));
    compute.servers_list(&Default::default()).await.expect("the account's servers");
    let session = compute.transport().session().await.expect("a session");
    assert_eq!(session.tenant_id.as_deref(), Some(tenant_a.as_str()));

    // Without a password, one is generated and returned once.
    let generated = a.v2_users_create(&m::User::new("bob", "bob@example.org", true)).await.expect("create").body;
    let password = generated.os_ksadm_password.as_ref().map(|p| p.expose().to_string()).expect("a generated password");
    let bob = token(&cloud, "bob", &password).await.expect("bob's token").user.id;

    // A name is one user's only.
    let e = a.v2_users_create(&m::User::new("alice", "other@example.org", true)).await.expect_err("taken");
    assert_eq!(status(&e), Some(409));
    let e = a.v2_users_create(&m::User::new(cloud.accounts()[1].username.clone(), "x@example.org", true)).await.expect_err("an account's name");
    assert_eq!(status(&e), Some(409));

    // Update: a new e-mail and password; the old password stops working.
    let updated = a.v2_users_update(&alice, &m::User::new("alice", "alice@example.com", true).os_ksadm_password(Secret::new("new-pass"))).await.expect("update");
    assert_eq!(updated.status, success("identity.v2.users.update"));
    assert_eq!(updated.body.email, "alice@example.com");
    assert!(updated.body.os_ksadm_password.is_none());
    assert_eq!(token(&cloud, "alice", "alice-pass").await.err(), Some(Some(401)));
    token(&cloud, "alice", "new-pass").await.expect("the new password");
    let e = a.v2_users_update("no-such-user", &m::User::new("x", "x@example.org", true)).await.expect_err("unknown");
    assert_eq!(status(&e), Some(404));

    // Disabled, the user gets no token and its tokens stop working.
    let held = token(&cloud, "bob", &password).await.expect("bob's token").token.id;
    a.v2_users_update(&bob, &m::User::new("bob", "bob@example.org", false)).await.expect("disable");
    assert!(token(&cloud, "bob", &password).await.is_err(), "a disabled user gets no token");
    let r = reqwest::Client::new()
        .delete(format!("{}/v2.0/users/{bob}", cloud.identity_url()))
        .header("X-Auth-Token", held.expose())
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 401, "the token of a disabled user is forgotten");

    // Delete: 204, then the user is unknown and its password gets nothing.
    let deleted = a.v2_users_delete(&alice).await.expect("delete");
    assert_eq!(deleted.status, success("identity.v2.users.delete"));
    assert_eq!(status(&a.v2_users_delete(&alice).await.expect_err("gone")), Some(404));
    assert_eq!(status(&a.v2_users_update(&alice, &m::User::new("alice", "a@example.org", true)).await.expect_err("gone")), Some(404));
    assert_eq!(token(&cloud, "alice", "new-pass").await.err(), Some(Some(401)));
    cloud.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_accounts_administrator_manages_its_users() {
    let (cloud, _seed) = cloud().await;
    let a = admin(&cloud, 0);
    let b = admin(&cloud, 1);
    a.v2_users_create(&m::User::new("carol", "carol@example.org", true).os_ksadm_password(Secret::new("carol-pass"))).await.expect("create");
    a.v2_users_create(&m::User::new("dave", "dave@example.org", true).os_ksadm_password(Secret::new("dave-pass"))).await.expect("create");
    let carol = token(&cloud, "carol", "carol-pass").await.expect("a token").user.id;
    let dave = token(&cloud, "dave", "dave-pass").await.expect("a token").user.id;

    // Another account's token: the user is none of its own.
    let e = b.v2_users_update(&carol, &m::User::new("carol", "evil@example.org", true)).await.expect_err("another account");
    assert_eq!(status(&e), Some(404));
    let e = b.v2_users_delete(&carol).await.expect_err("another account");
    assert_eq!(status(&e), Some(404));
    token(&cloud, "carol", "carol-pass").await.expect("carol is untouched");

    // The added user has the account's access, but adds no user and changes no other.
    let c = client(&cloud, "carol", "carol-pass");
    let e = c.v2_users_create(&m::User::new("eve", "eve@example.org", true)).await.expect_err("an added user adds none");
    assert_eq!(status(&e), Some(403));
    let e = c.v2_users_update(&dave, &m::User::new("dave", "x@example.org", true)).await.expect_err("not hers");
    assert_eq!(status(&e), Some(403));
    let e = c.v2_users_delete(&dave).await.expect_err("not hers");
    assert_eq!(status(&e), Some(403));
    let own = c.v2_users_update(&carol, &m::User::new("carol", "carol@example.com", true)).await.expect("her own record");
    assert_eq!(own.body.email, "carol@example.com");

    // A token-authenticated operation without a token is refused.
    let anonymous = identity::client::Client::new(Transport::builder().base_url(format!("{}/v2.0", cloud.identity_url())).build().expect("a transport"));
    let e = anonymous.v2_users_create(&m::User::new("mallory", "m@example.org", true)).await.expect_err("no token");
    assert_eq!(status(&e), Some(401));
    cloud.shutdown().await;
}
