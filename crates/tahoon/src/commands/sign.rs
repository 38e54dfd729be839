use crate::cli::SignArgs;
use anyhow::{Context, bail};
use std::io::Read;
use std::process::ExitCode;
use tahoon_domain::signing::{SECURE_HASH_FIELD, header_value, secure_hash};

pub fn run(args: SignArgs) -> anyhow::Result<ExitCode> {
    let mut body = Vec::new();
    std::io::stdin().read_to_end(&mut body).context("reading the body from standard input")?;
    if args.header {
        // The header form signs the exact bytes: strip only the final newline a shell adds.
        if body.last() == Some(&b'\n') {
            body.pop();
        }
        let t = args.timestamp.unwrap_or_else(|| jiff::Timestamp::now().as_second());
        println!("{}", header_value(&args.key, t, &body));
        return Ok(ExitCode::SUCCESS);
    }
    let value: serde_json::Value = serde_json::from_slice(&body).context("the body must be JSON")?;
    let serde_json::Value::Object(mut fields) = value else {
        bail!("the body must be a JSON object");
    };
    let hash = secure_hash(&args.key, &fields);
    if args.embed {
        fields.insert(SECURE_HASH_FIELD.into(), hash.into());
        println!("{}", serde_json::Value::Object(fields));
    } else {
        println!("{hash}");
    }
    Ok(ExitCode::SUCCESS)
}
