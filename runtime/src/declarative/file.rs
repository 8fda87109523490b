//! Resources read from a file on disk on every read (`implementation.file` in the spec), for content that
//! changes while the server runs (a status file, a log, a report another program rewrites). The path is fixed
//! by the spec, so no client value reaches it; the read is bounded by the definition's `max_bytes`.

use std::io::Read as _;

use super::FileDef;

/// Reads the file, refusing one larger than `def.max_bytes`. Errors name what went wrong, not the path: the
/// message reaches the client, the path stays in the server's log.
pub async fn read(def: &'static FileDef) -> Result<Vec<u8>, String> {
    let read = tokio::task::spawn_blocking(move || {
        let file = std::fs::File::open(def.path)?;
        let mut bytes = Vec::new();
        // One byte more than allowed tells a file at the limit from a larger one without reading it all.
        file.take(def.max_bytes as u64 + 1)
            .read_to_end(&mut bytes)?;
        Ok::<_, std::io::Error>(bytes)
    })
    .await
    .map_err(|e| format!("the read did not finish: {e}"))?;
    match read {
        Ok(bytes) if bytes.len() > def.max_bytes => {
            tracing::warn!(
                path = def.path,
                max_bytes = def.max_bytes,
                "resource file too large"
            );
            Err(format!("the file is larger than {} bytes", def.max_bytes))
        }
        Ok(bytes) => Ok(bytes),
        Err(error) => {
            tracing::warn!(path = def.path, %error, "cannot read resource file");
            Err(format!("cannot read the file: {}", error.kind()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leak(path: &std::path::Path, max_bytes: usize) -> &'static FileDef {
        let path: &'static str = Box::leak(path.display().to_string().into_boxed_str());
        Box::leak(Box::new(FileDef { path, max_bytes }))
    }

    #[tokio::test]
    async fn reads_the_file_as_it_is_now_and_bounds_it() {
        let dir = std::env::temp_dir().join(format!("mcpgen-file-resource-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("status.txt");
        let def = leak(&path, 8);

        let missing = read(def).await.unwrap_err();
        assert_eq!(missing, "cannot read the file: entity not found");
        assert!(
            !missing.contains("status.txt"),
            "the path stays out of the message"
        );

        std::fs::write(&path, "one").unwrap();
        assert_eq!(read(def).await.unwrap(), b"one");
        // Rewritten while the server runs: the next read sees it.
        std::fs::write(&path, "12345678").unwrap();
        assert_eq!(
            read(def).await.unwrap(),
            b"12345678",
            "exactly the limit is served"
        );
        std::fs::write(&path, "123456789").unwrap();
        assert_eq!(
            read(def).await.unwrap_err(),
            "the file is larger than 8 bytes"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
