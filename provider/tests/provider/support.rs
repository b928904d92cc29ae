//! What the provider's tests share: a token and the v2 endpoint by plain HTTP.

/// A token of `account` and its v2 endpoint, from the provider's identity service, as a
/// client without the generated code gets them.
pub async fn token_and_endpoint(http: &reqwest::Client, cloud: &provider::Handle, account: &provider::Account) -> (String, String) {
    let access: serde_json::Value = http
        .post(format!("{}/v2.0/tokens", cloud.identity_url()))
        .json(&serde_json::json!({"auth": {"passwordCredentials": {"username": account.username, "password": account.password}}}))
        .send()
        .await
        .expect("the identity service answers")
        .json()
        .await
        .expect("a JSON token response");
    let token = access["access"]["token"]["id"].as_str().expect("a token").to_string();
    let endpoint = access["access"]["serviceCatalog"]
        .as_array()
        .and_then(|services| services.iter().find(|s| s["name"].as_str() == cloudservers::v2::client::API.catalog_service))
        .and_then(|s| s["endpoints"][0]["publicURL"].as_str())
        .expect("the v2 endpoint in the catalog")
        .to_string();
    (token, endpoint)
}
