use crate::cli::SignArgs;
use anyhow::{Context, bail};
use std::io::Read;
use std::process::ExitCode;
use tahoon_domain::signing::{SECURE_HASH_FIELD, canonical_string, header_value, secure_hash};

pub fn run(args: SignArgs) -> anyhow::Result<ExitCode> {
    if let Some(request) = &args.request {
        // `requires = "header"` on the argument: clap has refused `--request` without `--header`.
        let target = request_target(request)?;
        let t = args.timestamp.unwrap_or_else(|| jiff::Timestamp::now().as_second());
        println!("{}", header_value(&args.key, t, target.as_bytes()));
        return Ok(ExitCode::SUCCESS);
    }
    let mut body = Vec::new();
    std::io::stdin().read_to_end(&mut body).context("reading the body from standard input")?;
    if args.header {
        // The header form signs the exact bytes: strip only the final newline a shell adds.
        if body.last() == Some(&b'\n') {
            body.pop();
        }
        if body.is_empty() {
            bail!(
                "standard input is empty; to sign a request without a body use \
                 --header --request \"<METHOD> /<path?query>\""
            );
        }
        let t = args.timestamp.unwrap_or_else(|| jiff::Timestamp::now().as_second());
        println!("{}", header_value(&args.key, t, &body));
        return Ok(ExitCode::SUCCESS);
    }
    let value: serde_json::Value = serde_json::from_slice(&body).context("the body must be JSON")?;
    let serde_json::Value::Object(mut fields) = value else {
        bail!("the body must be a JSON object");
    };
    if canonical_string(&fields).is_empty() {
        bail!(
            "the body has no top-level string, number or boolean field, so a secureHash would sign nothing \
             and the server never accepts one; sign it with --header (X-Tahoon-Signature) instead"
        );
    }
    let hash = secure_hash(&args.key, &fields);
    if args.embed {
        fields.insert(SECURE_HASH_FIELD.into(), hash.into());
        println!("{}", serde_json::Value::Object(fields));
    } else {
        println!("{hash}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Checks that `--request` looks like `<METHOD> /<path?query>`: an uppercase method, one space,
/// and a path starting with `/` without spaces or control characters. Returns it unchanged, since
/// the server signs the method and the path exactly as the request line carries them.
fn request_target(request: &str) -> anyhow::Result<&str> {
    let looks_right = request.split_once(' ').is_some_and(|(method, path)| {
        !method.is_empty()
            && method.bytes().all(|b| b.is_ascii_uppercase())
            && path.starts_with('/')
            && path.bytes().all(|b| b.is_ascii_graphic())
    });
    if !looks_right {
        bail!(
            "--request must look like \"<METHOD> /<path?query>\" (an uppercase method, one space, the path as \
             sent, such as \"DELETE /api/v1/user/usr_…\"); got {request:?}"
        );
    }
    Ok(request)
}
